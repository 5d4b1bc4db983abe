# SIECLE imports: messages added with the import jobs (one at a time, error reports, precise reasons).
import-error-running = Un import de la liste des élèves est déjà en cours pour votre établissement : attendez qu'il se termine, puis importez de nouveau votre fichier si besoin. Cette demande n'a modifié aucun élève.
import-error-interrupted = L'import a été interrompu (arrêt du serveur) : aucun élève n'a été modifié. Importez de nouveau le fichier.
import-error-archive-too-large = L'archive ({ $size }) dépasserait { $max } Mo une fois décompressée : aucun export SIECLE ne se comprime autant, elle est donc refusée comme suspecte. Importez l'export « ElevesSansAdresses » tel que SIECLE le fournit (.xml ou .zip).
import-reason-birthdate-impossible = la date de naissance « { $value } » n'existe pas dans le calendrier.
import-reason-digit = le { $field } « { $value } » contient un chiffre, ce qu'un nom ou un prénom ne peut pas contenir : corrigez-le dans SIECLE puis exportez de nouveau le fichier.
import-reason-unexpected-char = le { $field } « { $value } » contient le caractère « { $char } », qui n'a pas sa place dans un nom ou un prénom : corrigez-le dans SIECLE puis exportez de nouveau le fichier.
import-field-NOM_DE_FAMILLE = nom de famille
import-field-NOM_USAGE = nom d'usage
import-field-PRENOM = prénom
import-field-PRENOM2 = deuxième prénom
import-field-PRENOM3 = troisième prénom
import-errors-count = { $count ->
    [one] 1 erreur.
   *[other] { $count } erreurs.
}
import-errors-first = Voici les { $shown } premières ; le rapport d'erreurs les contient toutes.
import-report-download = Télécharger le rapport d'erreurs (CSV)
import-report-line = Ligne
import-report-ine = INE
import-report-name = Nom
import-report-error = Erreur
