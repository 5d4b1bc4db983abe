## Acquis — textes de l'interface (français)

app-name = Acquis
app-tagline = Évaluer et développer les compétences numériques des élèves
skip-to-content = Aller au contenu
footer-text = Acquis, plateforme libre d'évaluation des compétences numériques
nav-main = Navigation principale
nav-account = Mon compte
nav-login = Se connecter
nav-logout = Se déconnecter
nav-signup = Créer un compte
nav-admin = Administration
nav-orga = Espace établissement
signed-in-as = Connecté(e) : { $name }

## Accueil
home-title = Bienvenue sur Acquis
home-hello = Bonjour { $name }
home-intro = Acquis permet aux établissements scolaires de lancer des campagnes d'évaluation des compétences numériques de leurs élèves et d'en suivre les résultats.
home-staff-title = Personnel d'établissement
home-staff-text = Vous avez reçu une invitation par e-mail ? Suivez le lien qu'elle contient. Déjà membre d'un espace établissement ? Connectez-vous.
home-go-orga = Accéder à mon espace établissement

## Champs
field-last-name = Nom
field-first-name = Prénom
field-email = Adresse e-mail
field-email-hint = Exemple : nom@exemple.fr
field-login = Adresse e-mail ou identifiant
field-password = Mot de passe
field-password-hint = 8 caractères minimum, dont une majuscule, une minuscule et un chiffre
field-password-new = Nouveau mot de passe
field-password-confirmation = Confirmation du nouveau mot de passe
field-password-current = Mot de passe actuel
field-cgu = J'accepte les conditions d'utilisation d'Acquis
field-required = Tous les champs sont obligatoires.

## Connexion
login-title = Connexion
login-submit = Je me connecte
login-forgot = Mot de passe oublié ?
login-no-account = Pas encore de compte ?
login-invalid = L'adresse e-mail ou l'identifiant et/ou le mot de passe saisis sont incorrects.
login-rate-limited = Vous avez effectué trop de tentatives. Pour votre sécurité, attendez une minute avant de réessayer.

## Inscription
signup-title = Je m'inscris
signup-submit = Je m'inscris
signup-have-account = J'ai déjà un compte
signup-done = Votre compte a été créé.
signup-last-name-missing = Votre nom n'est pas renseigné.
signup-first-name-missing = Votre prénom n'est pas renseigné.
signup-email-invalid = Votre adresse e-mail n'est pas valide (exemple : nom@exemple.fr).
signup-email-taken = Un compte existe déjà avec cette adresse e-mail : connectez-vous.
signup-cgu-missing = Vous devez accepter les conditions d'utilisation pour créer un compte.
signup-privacy = Les informations recueillies sur ce formulaire sont enregistrées dans un fichier informatisé pour permettre l'accès au service. Elles sont conservées pendant la durée d'utilisation du service. Vous pouvez exercer votre droit d'accès et de rectification auprès du délégué à la protection des données de votre établissement ou de l'opérateur de la plateforme.
form-errors-title = Le formulaire contient des erreurs :

## Mots de passe
password-policy = Votre mot de passe doit contenir 8 caractères au minimum et comporter au moins une majuscule, une minuscule et un chiffre.
password-confirmation-mismatch = Les deux mots de passe saisis ne sont pas identiques.
password-current-wrong = Le mot de passe actuel est incorrect.
password-same-as-current = Le nouveau mot de passe doit être différent de l'actuel.
password-changed = Votre mot de passe a été modifié.
change-title = Changer mon mot de passe
change-expired = Vous avez actuellement un mot de passe temporaire. Choisissez un nouveau mot de passe pour continuer.
change-submit = Enregistrer le nouveau mot de passe
forgot-title = Mot de passe oublié
forgot-intro = Saisissez l'adresse e-mail de votre compte : nous vous enverrons un lien pour choisir un nouveau mot de passe. Ce lien est valable une heure et ne sert qu'une fois.
forgot-submit = Recevoir le lien
forgot-sent = Si un compte existe pour cette adresse, un e-mail contenant un lien de réinitialisation vient de lui être envoyé. Pensez à vérifier vos courriers indésirables.
forgot-username = Vous vous connectez avec un identifiant (élève) ? Demandez à votre enseignant de réinitialiser votre mot de passe.
reset-title = Choisir un nouveau mot de passe
reset-submit = Enregistrer
reset-link-invalid = Ce lien de réinitialisation n'est plus valide : il a déjà servi ou a expiré (il est valable une heure). Faites une nouvelle demande.
reset-new-request = Faire une nouvelle demande
reset-done = Votre mot de passe a été modifié. Vous pouvez vous connecter.
mail-reset-subject = Réinitialisation de votre mot de passe Acquis
mail-greeting = Bonjour { $first_name },

## Mon compte
account-title = Mon compte
account-identity = Identité
account-username = Identifiant
account-establishments = Mes espaces établissement
account-no-establishment = Vous n'êtes membre d'aucun espace établissement. Pour y accéder, un administrateur de l'établissement doit vous inviter.
account-change-password = Changer mon mot de passe

## Invitations (rejoindre)
join-title = Vous êtes invité(e) à rejoindre l'établissement { $organization }
join-intro = L'espace établissement vous permet de créer et de gérer des campagnes d'évaluation et de suivre la progression de vos élèves.
join-signup-title = Je m'inscris
join-login-title = J'ai déjà un compte
join-login-submit = Se connecter et rejoindre
join-signed-in = Vous êtes connecté(e) en tant que { $name }.
join-accept = Accepter l'invitation
join-not-you = Ce n'est pas vous ? Déconnectez-vous pour utiliser un autre compte.
join-unusable-title = Invitation impossible à utiliser
invitation-invalid = Ce lien d'invitation n'est pas valide. Vérifiez que vous avez copié le lien complet reçu par e-mail.
invitation-already-accepted = Cette invitation a déjà été acceptée : ce lien est à usage unique. Connectez-vous pour accéder à l'espace établissement.
invitation-cancelled = Cette invitation n'est plus valide : elle a été annulée. Demandez à un administrateur de l'établissement de vous inviter à nouveau.
invitation-expired = Cette invitation a expiré (elle est valable 30 jours). Demandez à un administrateur de l'établissement de vous la renvoyer.
invitation-organization-archived = Cet établissement a été archivé : il n'est plus possible de le rejoindre.

## Espace établissement
orga-space = Espace établissement
orga-my-establishment = Mon établissement
orga-switch = Changer d'établissement
orga-menu = Menu de l'établissement
menu-campaigns = Campagnes
menu-students = Élèves
menu-team = Équipe
menu-documentation = Documentation
coming-title = Bientôt disponible
choose-title = Choisissez un établissement
no-access-title = Accès réservé
no-access = L'accès est limité aux membres invités. Pour accéder à l'espace d'un établissement, un administrateur de cet établissement doit vous envoyer une invitation.
terms-title = Conditions d'utilisation de l'espace établissement
terms-intro = Avant d'accéder à l'espace établissement, lisez et acceptez ses conditions d'utilisation.
terms-body-1 = L'espace établissement permet aux personnels d'un établissement scolaire de créer des campagnes d'évaluation des compétences numériques, d'inviter leurs élèves à y participer et d'en consulter les résultats.
terms-body-2 = Vous vous engagez à n'utiliser les données des élèves (identité, résultats) que pour le suivi pédagogique, à ne pas les communiquer à des tiers et à protéger vos identifiants de connexion.
terms-body-3 = Les actions effectuées sur les comptes et les données des élèves sont journalisées avec leur auteur et leur date.
terms-accept = J'accepte les conditions d'utilisation
terms-cancel = Annuler
documentation-title = Documentation

## Équipe
team-title = Équipe
team-members-tab = Membres ({ $count })
team-invitations-tab = Invitations ({ $count })
team-members-list = Liste des membres ({ $count })
team-invitations-list = Invitations en attente ({ $count })
team-invite = Inviter un membre
team-col-last-name = Nom
team-col-first-name = Prénom
team-col-role = Rôle
team-col-email = Adresse e-mail
team-col-last-sent = Date de dernier envoi
team-col-actions = Actions
team-you = (vous)
team-change-role = Modifier le rôle
team-change-role-of = Modifier le rôle de { $name }
team-save = Enregistrer
team-remove = Supprimer
team-remove-of = Supprimer { $name } de l'équipe
team-remove-confirm = { $name } n'aura plus accès à l'espace de l'établissement. Ses campagnes restent accessibles au reste de l'équipe.
team-remove-submit = Oui, supprimer le membre
team-leave = Quitter cet espace
team-leave-confirm = Vous n'aurez plus accès à l'espace de cet établissement. Vos campagnes restent accessibles au reste de l'équipe.
team-leave-submit = Oui, quitter l'espace
team-no-invitation = Aucune invitation en attente.
team-resend = Renvoyer l'invitation
team-resend-to = Renvoyer l'invitation à { $email }
team-cancel-invitation = Supprimer l'invitation
team-cancel-invitation-to = Supprimer l'invitation de { $email }
team-role-changed = Le rôle de { $name } est maintenant : { $role }.
team-member-removed = { $name } a été retiré(e) de l'équipe.
team-left = Vous avez quitté l'espace de { $organization }.
team-last-admin-demote = Impossible de modifier ce rôle : l'établissement doit toujours avoir au moins un administrateur. Nommez d'abord un autre administrateur.
team-last-admin-remove = Impossible de supprimer ce membre : c'est le seul administrateur de l'établissement. Nommez d'abord un autre administrateur.
team-last-admin-leave = Vous êtes le seul administrateur de l'établissement : nommez un autre administrateur avant de quitter l'espace.
role-admin = Administrateur
role-member = Membre
role-auto = Automatique
role-unknown = Ce rôle n'existe pas.
invite-title = Inviter un membre
invite-intro-1 = Saisissez ici l'adresse e-mail du membre que vous souhaitez inviter. Vous pouvez inviter plusieurs membres en séparant les adresses e-mails par des virgules.
invite-intro-2 = À la réception de l'e-mail, les invités pourront choisir de se créer un compte ou de se connecter avec un compte existant.
invite-emails = Adresse(s) e-mail
invite-role = Rôle
invite-submit = Inviter
invite-cancel = Annuler
invite-empty = Saisissez au moins une adresse e-mail.
invite-invalid = Les adresses e-mail suivantes ne sont pas valides : { $emails }. Aucune invitation n'a été envoyée.
invite-sent = { $count ->
    [one] Une invitation a été envoyée.
   *[other] { $count } invitations ont été envoyées.
}
invite-resent = L'invitation a été renvoyée à { $email }.
invite-resend-too-soon = L'invitation vient d'être envoyée : patientez quelques secondes avant de la renvoyer.
invite-cancelled = L'invitation de { $email } a été supprimée.
invite-mail-failed = L'invitation est enregistrée mais l'e-mail n'a pas pu être envoyé à : { $emails }. Réessayez avec « Renvoyer l'invitation ».
mail-invitation-subject = Invitation à rejoindre { $organization } sur Acquis
mail-invitation-title = Vous êtes invité(e) à rejoindre { $organization }
mail-invitation-intro = L'espace établissement d'Acquis vous permet de créer et de gérer des campagnes d'évaluation et de suivre la progression de vos élèves.
mail-invitation-accept = Accepter l'invitation
mail-invitation-single-use = Ce lien est à usage unique et valable 30 jours.
mail-automatic = Ceci est un e-mail automatique, merci de ne pas y répondre.

## Administration (opérateurs)
admin-title = Administration
admin-establishments = Établissements
admin-new = Créer un établissement
admin-search = Rechercher par nom ou UAI
admin-search-submit = Rechercher
admin-include-archived = Inclure les établissements archivés
admin-count = { $count ->
    [0] Aucun établissement
    [one] 1 établissement
   *[other] { $count } établissements
}
admin-col-name = Nom
admin-col-uai = UAI
admin-col-kind = Type
admin-col-contact = E-mail de contact
admin-col-created = Créé le
admin-col-status = Statut
admin-status-active = Actif
admin-status-archived = Archivé
admin-page = Page { $page } / { $pages }
admin-previous = Page précédente
admin-next = Page suivante
admin-create-submit = Créer l'établissement
admin-field-name = Nom de l'établissement
admin-field-uai = UAI
admin-field-uai-hint = 7 chiffres suivis d'une lettre, par exemple 0754321X
admin-field-kind = Type
admin-field-manages-students = Importe ses élèves (SIECLE) : seuls les élèves de la liste peuvent rejoindre ses campagnes
admin-field-contact = E-mail de contact
admin-field-contact-hint = L'invitation de l'administrateur est envoyée à cette adresse.
admin-import-title = Créer plusieurs établissements (CSV)
admin-import-intro = Fichier CSV séparé par des points-virgules, une ligne par établissement : UAI;Nom;E-mail (la ligne d'en-tête est facultative). Si une seule ligne contient une erreur, aucun établissement n'est créé.
admin-import-file = Fichier CSV
admin-import-kind = Type des établissements importés
admin-import-submit = Importer
admin-import-errors = Aucun établissement n'a été créé. Corrigez les erreurs suivantes :
admin-members = Membres
admin-no-member = Aucun membre pour l'instant.
admin-invitations = Invitations en attente
admin-send-invitation = Envoyer l'invitation administrateur
admin-send-invitation-hint = Une invitation à usage unique est envoyée à l'e-mail de contact ; la personne qui l'accepte devient administrateur de l'établissement.
admin-archive = Archiver l'établissement
admin-archive-confirm = Les membres n'auront plus accès à l'espace de l'établissement et ses invitations ne pourront plus être acceptées.
admin-archive-submit = Oui, archiver
admin-audit = Journal des actions
audit-campaign-archive = Campagne archivée
audit-campaign-unarchive = Campagne désarchivée
audit-campaign-back-to-school = Campagne de rentrée créée
audit-campaign-create = Campagne créée
audit-campaign-delete = Campagne supprimée
audit-campaign-update = Campagne modifiée
audit-demo-seeded = Démo installée
audit-invitation-accepted = Invitation acceptée
audit-invitation-cancelled = Invitation annulée
audit-invitation-resent = Invitation renvoyée
audit-invitation-sent = Invitation envoyée
audit-learner-dissociated = Élève dissocié de son compte
audit-learner-linked = Élève associé à un compte
audit-learner-linked-by-ine = Élève associé à un compte par son INE
audit-learner-password-reset = Mot de passe d'un élève réinitialisé
audit-learner-passwords-reset = Mots de passe d'élèves réinitialisés
audit-learner-username-added = Identifiant ajouté à un élève
audit-membership-left = Membre ayant quitté l'équipe
audit-membership-removed = Membre retiré de l'équipe
audit-membership-role-changed = Rôle d'un membre modifié
audit-organization-archived = Établissement archivé
audit-organization-created = Établissement créé
audit-organization-manages-students-off = Import des élèves désactivé
audit-organization-manages-students-on = Import des élèves activé
audit-organization-students-provider = Connexion ENT (SSO) des élèves modifiée
audit-participation-deleted = Participation supprimée
audit-students = { $count ->
    [one] { $count } élève
   *[other] { $count } élèves
}
admin-back = Retour à la liste
kind-college = Collège
kind-lycee = Lycée
kind-lycee-pro = Lycée professionnel
kind-other = Autre
org-created = L'établissement « { $name } » a été créé.
org-imported = { $count ->
    [one] Un établissement a été créé.
   *[other] { $count } établissements ont été créés.
}
org-name-missing = Le nom de l'établissement n'est pas renseigné.
org-uai-invalid = L'UAI « { $uai } » n'est pas valide : 7 chiffres suivis d'une lettre sont attendus (exemple : 0754321X).
org-uai-taken = Un établissement avec l'UAI { $uai } existe déjà.
org-kind-missing = Choisissez le type d'établissement.
org-email-invalid = L'e-mail de contact « { $email } » n'est pas valide.
org-archived = L'établissement « { $name } » a été archivé.
org-already-archived = Cet établissement est déjà archivé.
org-archived-no-invitation = Un établissement archivé ne peut plus envoyer d'invitation.
org-invitation-sent = L'invitation administrateur a été envoyée à { $email }.
org-import-empty = Le fichier ne contient aucun établissement.
org-import-unreadable = Ligne { $line } : le fichier ne peut pas être lu ({ $reason }).
org-import-columns = Ligne { $line } : 3 colonnes sont attendues (UAI;Nom;E-mail), { $found } trouvée(s).
org-import-line = Ligne { $line } : { $message }
org-import-duplicate = Ligne { $line } : l'UAI { $uai } figure déjà ligne { $first }.
org-import-taken = Ligne { $line } : un établissement avec l'UAI { $uai } existe déjà.
org-import-conflict = Un des établissements vient d'être créé par ailleurs ; aucun établissement n'a été créé. Relancez l'import.

## Erreurs
error-not-found-title = Page introuvable
error-not-found = La page demandée n'existe pas ou vous n'y avez pas accès.
error-forbidden-title = Accès refusé
error-admin-only = Cette action est réservée aux administrateurs de l'établissement.
error-bad-request-title = Requête invalide
error-too-many-title = Trop de tentatives
error-internal-title = Erreur technique
error-internal = Une erreur technique est survenue. Réessayez dans quelques instants ; si le problème persiste, contactez le support.
error-csrf-title = Requête refusée
error-csrf = Cette requête provient d'un autre site et a été refusée pour protéger votre compte. Revenez sur la page et soumettez à nouveau le formulaire.
error-back-home = Revenir à l'accueil

## Common
yes = Oui
no = Non
cancel = Annuler
form-has-errors = Le formulaire contient des erreurs : corrigez les champs signalés.

## Campaigns (establishment space)
campaign-create = Créer une campagne
campaign-create-submit = Créer la campagne
campaigns-mine = Mes campagnes
campaigns-all = Toutes les campagnes
campaigns-search = Rechercher une campagne ou un propriétaire
campaigns-status = Statut
campaigns-active = Actives
campaigns-archived = Archivées
campaigns-filter = Filtrer
campaigns-list = { $count ->
    [one] { $count } campagne
   *[other] { $count } campagnes
}
campaigns-col-name = Nom
campaigns-col-code = Code
campaigns-col-owner = Propriétaire
campaigns-col-created = Créée le
campaigns-col-participants = Participants
campaigns-col-shared = Résultats reçus
campaigns-empty = Créez votre première campagne : elle vous donnera un code à transmettre à vos élèves.
campaigns-none = Aucune campagne ne correspond.
campaign-name = Nom de la campagne
campaign-objective = Quel est l'objectif de votre campagne ?
campaign-kind-assessment = Évaluer les participants
campaign-kind-profiles = Collecter les profils Pix des participants
campaign-target-profile = Que souhaitez-vous tester ?
campaign-target-profile-hint = Le parcours (profil cible) que vos élèves passeront.
campaign-target-profile-choose = Choisissez un parcours
campaign-target-profile-descriptions = Description des parcours
campaign-multiple-sendings = Envoi multiple
campaign-multiple-sendings-hint = Les participants pourront repasser la campagne et renvoyer leurs résultats.
campaign-external-id = Souhaitez-vous demander un identifiant externe ?
campaign-external-id-label = Libellé de l'identifiant
campaign-external-id-label-hint = Par exemple : numéro d'étudiant, adresse e-mail académique.
campaign-external-id-type = Type de l'identifiant
campaign-external-id-type-text = Texte
campaign-external-id-type-email = Adresse e-mail
campaign-title = Titre du parcours
campaign-title-hint = Affiché aux élèves (50 caractères au plus).
campaign-landing-text = Texte de la page d'accueil
campaign-error-name = Indiquez le nom de la campagne.
campaign-error-too-long = Ce texte est trop long.
campaign-error-title-too-long = Le titre du parcours ne peut pas dépasser 50 caractères.
campaign-error-kind = Choisissez l'objectif de la campagne.
campaign-error-target-profile = Choisissez un parcours parmi ceux proposés à votre établissement.
campaign-error-external-id-label = Indiquez le libellé de l'identifiant externe.
campaign-error-not-owner = Seuls le propriétaire de la campagne et les administrateurs peuvent la modifier.
campaign-created = La campagne a été créée. Transmettez son code à vos élèves.
campaign-archived = La campagne a été archivée.
campaign-delete = Supprimer la campagne
campaign-in-progress = En cours
copy-code = Copier le code
copy-link = Copier le lien
copy-done = Copié !
copy-failed = Copie impossible : sélectionnez le texte
participant-back = ← Résultats de « { $campaign } »
participant-progress = Avancement
participant-skills = Acquis validés / évalués
participant-skills-of = { $validated } / { $total }
participant-certifiable = Certifiable
participant-level = Niveau
participant-badges = Badges obtenus :
participant-competences = Résultats par compétence
participant-not-sent = Ce participant n'a pas encore envoyé ses résultats.
campaign-filters = Filtrer les participants
campaign-filter-search = Rechercher un participant
campaign-filter-stages = Paliers
campaign-filter-badges = Badges
campaign-col-badges = Badges
campaign-col-certifiable-competences = Comp. certifiables
campaign-no-match = Aucun participant ne correspond à ces filtres.
campaign-activity-chart = Participations et envois cumulés par jour
campaign-activity-started = Participations
campaign-activity-table = Voir les chiffres par jour
campaign-activity-day = Jour
campaign-stage-distribution = Répartition des participants par palier
campaign-stage-n = { $stage ->
    [0] Palier 0 (aucun palier)
   *[other] Palier { $stage }
}
campaign-delete-confirm = Vous êtes sur le point de supprimer la campagne « { $name } » : elle disparaîtra de vos listes avec toutes ses participations et ses résultats, son code ne permettra plus d'y accéder, et les participants ne la verront plus. Cette action est définitive.
campaign-delete-submit = Oui, je supprime la campagne
campaign-deleted = La campagne « { $name } » a été supprimée.
campaign-unarchived = La campagne a été désarchivée.
campaign-archive = Archiver
campaign-unarchive = Désarchiver
campaign-archived-tag = Archivée
campaign-back = ← Retour aux campagnes
campaign-code = Code
campaign-direct-link = Lien direct
campaign-participants = Participants
campaign-results-received = Résultats reçus
campaign-profiles-received = Profils reçus
campaign-tab-activity = Activité
campaign-tab-results = Résultats
campaign-tab-profiles = Profils
campaign-tab-settings = Paramètres
campaign-participants-list = { $count ->
    [one] { $count } participant
   *[other] { $count } participants
}
campaign-results-list = { $count ->
    [one] { $count } résultat reçu
   *[other] { $count } résultats reçus
}
campaign-col-started = Commencé le
campaign-col-status = Statut
campaign-col-shared-at = Envoyé le
campaign-col-mastery = Résultat
campaign-col-stage = Palier
campaign-col-pix = Score Pix
campaign-average = Résultat moyen
campaign-no-participant = Aucun participant pour l'instant : transmettez le code de la campagne à vos élèves.
campaign-no-result = Aucun résultat reçu pour l'instant.
participation-status-started = En cours
participation-status-shared = Résultats reçus
category-competences = Compétences
category-discovery = Découverte
category-back-to-school = Rentrée
category-custom = Parcours sur mesure

## Student space
home-code-title = J'ai un code
home-code-text = Votre enseignant vous a donné un code de parcours : saisissez-le pour commencer.
home-code-label = Code du parcours
home-code-hint = 6 lettres et 3 chiffres, par exemple ABCDEF234.
home-code-submit = Accéder au parcours
code-empty = Saisissez le code donné par votre enseignant.
campaign-unknown-title = Code inconnu
campaign-unknown = Ce code ne correspond à aucun parcours. Vérifiez-le auprès de votre enseignant.
campaign-archived-title = Parcours terminé
campaign-archived-student = Ce parcours est archivé : il n'est plus possible d'y participer.
campaign-archived-share = Ce parcours est archivé : l'envoi des résultats n'est plus possible.
courses-title = Mes parcours
courses-empty = Vous n'avez encore commencé aucun parcours. Saisissez un code pour en commencer un.
course-sent = Envoyé
course-to-send = À envoyer
course-started = En cours
course-see = Voir mes résultats
course-send = Envoyer mes résultats
course-resume = Reprendre
course-started-on = Commencé le { $date }
landing-title = Commencez votre parcours
landing-intro-1 = Démarrez votre parcours d'évaluation personnalisé.
landing-intro-2 = Inscrivez-vous ou connectez-vous sur la plateforme et lancez votre test.
landing-go = Je commence
landing-profiles-title = Envoyez votre profil
landing-profiles-intro = Inscrivez-vous ou connectez-vous sur la plateforme et envoyez votre profil à l'organisation destinataire.
landing-go-profiles = C'est parti !
landing-consent = Les informations relatives à votre avancée seront transmises à l'organisateur du parcours pour vous accompagner. Les résultats des tests ne seront transmis qu'avec votre consentement.
landing-consent-profiles = Les informations relatives à votre profil seront transmises à l'organisateur pour lui permettre de vous accompagner. Elles ne seront transmises qu'avec votre consentement.
rules-title = Les règles du jeu
rules-1 = Les questions s'adaptent à vos réponses : plus vous réussissez, plus elles deviennent difficiles.
rules-2 = Vous ne savez pas répondre ? Cliquez sur « Je passe » : c'est mieux que de répondre au hasard.
rules-3 = Toutes les 5 questions, vous voyez vos réponses, les corrections et des tutos pour progresser.
rules-4 = Vous pouvez vous arrêter à tout moment et reprendre plus tard, là où vous en étiez.
external-id-hint = Demandé par l'organisateur du parcours.
external-id-missing = Indiquez votre { $label }.
external-id-email = { $label } : saisissez une adresse e-mail valide (ex. nom@exemple.fr).
challenge-page-title = Question { $position }
challenge-quit = Quitter
challenge-progress = Question { $position } sur 5 de cette étape
challenge-choose-one = Choisissez une réponse
challenge-choose-several = Choisissez une ou plusieurs réponses
challenge-field-label = Votre réponse
challenge-select-choose = Choisissez
challenge-download = Télécharger { $name }
challenge-skip = Je passe
challenge-validate = Je valide
challenge-continue = Continuer
challenge-answer-missing = Pour valider, répondez à la question. Sinon, cliquez sur « Je passe ».
challenge-neutralised = Question neutralisée, problème technique : elle ne compte pas dans vos résultats. Votre parcours continue.
challenge-report = Signaler un problème
challenge-report-label = Décrivez le problème rencontré sur cette question
challenge-report-submit = Envoyer le signalement
report-thanks = Merci, votre signalement a été enregistré.
report-empty = Décrivez le problème en quelques mots (2 000 caractères au plus).
checkpoint-title = Avancement du parcours
checkpoint-progress = { $count ->
    [one] Vous avez répondu à { $count } question.
   *[other] Vous avez répondu à { $count } questions.
}
checkpoint-continue = Continuer mon parcours
checkpoint-see-results = Voir mes résultats
checkpoint-answers = Vos réponses
checkpoint-correction = Réponses et tutos
checkpoint-your-answer = Votre réponse :
checkpoint-next-time = Pour réussir la prochaine fois
checkpoint-learn-more = Pour en apprendre davantage
answer-none = Pas de réponse
answer-result-ok = Bonne réponse
answer-result-ko = Mauvaise réponse
answer-result-partially = Réponse partiellement juste
answer-result-aband = Question passée
answer-result-neutralised = Question neutralisée
tutorial-meta = Par { $source } • { $format } • { $duration }
tutorial-save = Enregistrer
tutorial-unsave = Retirer
tutorial-saved = Le tuto a été enregistré dans « Mes tutos ».
tutorial-removed = Le tuto a été retiré de « Mes tutos ».
tutorials-title = Mes tutos
tutorials-recommended = Recommandés
tutorials-saved = Enregistrés
tutorials-recommended-intro = Ces tutos accompagnent les questions que vous avez manquées, les plus récentes d'abord.
tutorials-recommended-empty = Aucun tuto recommandé pour l'instant : ils apparaissent ici après les questions que vous manquez.
tutorials-empty = Vous n'avez enregistré aucun tuto. Enregistrez-en depuis les corrections de vos parcours.
duration-minutes = { $count ->
    [one] { $count } minute
   *[other] { $count } minutes
}
results-title = Résultats
results-mastery = Vous maîtrisez { $mastery } % des compétences testées.
results-stars = { $reached } étoiles sur { $total }
results-send-intro = Envoyez vos résultats à l'organisateur du parcours pour qu'il puisse vous accompagner.
results-send = J'envoie mes résultats
results-sent = Vos résultats ont bien été envoyés. Merci !
results-sent-on = Résultats envoyés le { $date }.
results-improve-title = Envie d'améliorer vos résultats ?
results-improve-text = Vous pouvez retenter certaines questions avant d'envoyer vos résultats.
results-improve = Je retente
results-restart = Repasser le parcours
results-restart-later = { $days ->
    [one] Vous pourrez repasser ce parcours dans { $days } jour.
   *[other] Vous pourrez repasser ce parcours dans { $days } jours.
}
results-badges = Résultats thématiques obtenus
results-details = Vos résultats détaillés
results-col-competence = Compétences testées
results-col-result = Résultats
results-home = Retour à l'accueil
send-profile-title = Envoi de votre profil
send-profile-intro-1 = Vous allez transmettre le score et les niveaux de compétence présents sur votre profil.
send-profile-intro-2 = Toute évolution de votre profil après cet envoi ne sera pas transmise.
send-profile-check = Pensez à le vérifier avant de l'envoyer !
send-profile-recipient = Destinataire
send-profile-submit = J'envoie mon profil
send-profile-again = Renvoyer mon profil
send-profile-once = Cet envoi n'est possible qu'une seule fois.
send-profile-already = Vous avez déjà envoyé le profil ci-dessous à { $organization } le { $date }.
send-profile-again-invite = { $organization } vous invite à renvoyer votre profil pour mesurer votre progression.
send-profile-continue = Continuez votre expérience
profile-sent = Merci, votre profil a bien été envoyé !
profile-already-sent = Vous avez déjà envoyé votre profil : cet envoi n'est possible qu'une seule fois.
profile-title = Mon profil
profile-link = Mon profil
profile-intro = Vous avez 16 compétences à tester : entraînez-vous sur celle de votre choix.
profile-total-pix = Pix
profile-certifiable = Certifiable
profile-certifiable-yes = Oui
profile-certifiable-yes-detail = Au moins 5 compétences ont atteint le niveau 1.
profile-certifiable-no = Pas encore
profile-certifiable-no-detail = { $count ->
    [one] { $count } compétence de niveau 1 ou plus sur les 5 nécessaires.
   *[other] { $count } compétences de niveau 1 ou plus sur les 5 nécessaires.
}
profile-col-competence = Compétence
profile-col-level = Niveau
profile-col-pix = Pix
profile-level = Niveau { $level }
profile-level-none = Pas encore de niveau
profile-progress = Progression vers le niveau suivant : { $name }
profile-train = M'entraîner

## Reconciliation with the establishment's list of students
reconcile-title = Qui êtes-vous ?
reconcile-intro = Votre établissement a importé sa liste d'élèves : indiquez vos prénom, nom et date de naissance. L'identité de l'élève est comparée avec la base établissement.
reconcile-birthdate = Date de naissance (JJ/MM/AAAA)
reconcile-day = Jour
reconcile-month = Mois
reconcile-year = Année
reconcile-submit = C'est moi
reconcile-have-account = J'ai déjà un compte
reconcile-birthdate-invalid = Votre date de naissance n'est pas valide (exemple : 23 06 2012).
reconcile-not-found = Nous ne trouvons pas d'élève à ce nom né à cette date dans la liste de l'établissement. Vérifiez votre prénom, votre nom et votre date de naissance ; s'ils sont justes, demandez à votre enseignant de vérifier la liste des élèves.
reconcile-not-allowed-title = Accès refusé
reconcile-not-allowed = Vous n'êtes pas autorisé à rejoindre la campagne.
reconcile-has-account = Vous possédez déjà un compte rattaché à cet élève : connectez-vous avec l'identifiant ou l'adresse e-mail { $login }. Mot de passe oublié ? Votre enseignant peut le réinitialiser.
reconcile-linked-other = Cet élève est déjà rattaché à un autre compte ({ $login }). Connectez-vous avec ce compte, ou demandez à votre enseignant de vérifier le rattachement.
reconcile-changed = Cet élève vient d'être rattaché à un autre compte. Vérifiez vos informations ou demandez à votre enseignant.
reconcile-signup-title = Je m'inscris avec :
reconcile-signup-intro = Bonjour { $name } ! Choisissez comment vous vous connecterez.
reconcile-with-email = Mon adresse e-mail
reconcile-with-username = Mon identifiant
reconcile-username = Identifiant
reconcile-username-hint = Notez-le : c'est avec lui que vous vous connecterez.
reconcile-username-taken = Cet identifiant vient d'être pris : un autre vous est proposé.
reconcile-not-me = ← Ce n'est pas moi

## Élèves
students-title = Élèves
students-import-button = Importer (.xml ou .zip)
students-import-title = Importer la liste des élèves
students-import-intro = Importez l'export SIECLE « ElevesSansAdresses » de votre établissement, tel quel (.xml) ou dans son archive (.zip). Un nouvel import met à jour les élèves existants, ajoute les nouveaux et désactive ceux qui ne figurent plus dans le fichier ; les comptes déjà rattachés sont conservés.
students-import-file = Fichier SIECLE (.xml ou .zip, { $max } Mo maximum)
students-import-submit = Importer
students-import-errors = Aucun élève n'a été importé : corrigez le fichier puis importez-le de nouveau.
students-import-history = Historique des imports
students-import-history-empty = Aucun import pour le moment.
students-import-by = Importé par
students-import-at = Date
students-import-file-col = Fichier
students-import-added = Ajoutés
students-import-updated = Mis à jour
students-import-disabled = Désactivés
students-import-done = Import terminé : { $added } élève(s) ajouté(s), { $updated } mis à jour, { $disabled } désactivé(s).
students-import-progress-title = Import en cours
students-import-reading = Lecture et vérification du fichier…
students-import-writing = Enregistrement des élèves : { $done } sur { $total }…
students-import-wait = Cette page se met à jour toute seule. Vous pouvez aussi la quitter : l'import continue.
students-import-not-managing = Votre établissement n'importe pas sa liste d'élèves : contactez l'équipe Acquis pour activer l'import SIECLE.
students-import-admins-only = Seuls les administrateurs de l'établissement peuvent importer la liste des élèves.
students-empty = Aucun élève pour le moment.
students-empty-import = Importez la liste de vos élèves depuis SIECLE pour qu'ils puissent rejoindre vos campagnes.
students-empty-participants = Les élèves apparaissent ici dès leur première participation à une campagne.
students-no-match = Aucun élève ne correspond aux filtres.
students-count = { $count ->
    [one] { $count } élève
   *[other] { $count } élèves
}
students-filters = Filtrer
students-filter-last-name = Nom
students-filter-first-name = Prénom
students-filter-classes = Classes
students-filter-connection = Méthode de connexion
students-filter-certificability = Certificabilité
students-filter-all = Toutes
filter-all-statuses = Tous
students-filter-apply = Appliquer les filtres
students-clear-filters = Effacer les filtres
students-col-last-name = Nom
students-col-first-name = Prénom
students-col-birthdate = Date de naissance
students-col-class = Classe
students-col-connection = Méthode(s) de connexion
students-col-participations = Nombre de participations
students-col-last = Dernière participation
students-col-certificability = Certificabilité
students-sort-by = Trier par { $column }
students-per-page = Élèves par page
participants-per-page = Participants par page
students-page = Page { $page } / { $pages }
students-previous = Page précédente
students-next = Page suivante
students-show = Voir
student-title = { $name }
student-back = ← Retour à la liste des élèves
student-ine = INE
student-account = Compte
student-no-account = Cet élève n'a pas encore de compte : il en créera un en rejoignant une campagne.
student-participations = Participations
student-no-participation = Aucune participation pour le moment.
student-started = Commencé le
student-shared = Envoyé le
student-result = Résultat
connection-email = Adresse e-mail
connection-username = Identifiant
connection-mediacentre = Médiacentre
connection-mediacentre-yes = Se connecte par l'ENT
connection-none = Aucune
connection-other = Autre
certifiable-yes = Certifiable
certifiable-no = Non certifiable
certifiable-unknown = Non communiqué
import-error-upload = Le fichier n'a pas pu être reçu : réessayez.
import-error-no-file = Choisissez le fichier SIECLE à importer (.xml ou .zip).
import-error-empty = Le fichier ne contient aucun élève à importer (élèves sortis, sans INE ou sans classe ignorés).
import-error-internal = L'import n'a pas pu être enregistré à cause d'un problème technique : aucun élève n'a été modifié. Réessayez dans quelques minutes.
import-error-invalid-file = Le fichier n'est pas un export SIECLE lisible ({ $detail }).
import-error-encoding = L'encodage « { $label } » déclaré par le fichier n'est pas pris en charge.
import-error-undecodable = Ligne { $line } : le fichier contient des caractères invalides pour l'encodage { $encoding }. Importez le fichier exporté par SIECLE sans le modifier.
import-error-zip-none = L'archive ne contient aucun fichier .xml.
import-error-zip-several = L'archive contient { $count } fichiers .xml : un seul est attendu.
import-error-too-large = La taille du fichier doit être inférieure à { $max } Mo.
import-error-uai-missing = Le fichier ne contient pas d'UAI (élément UAJ) : est-ce bien l'export « ElevesSansAdresses » de SIECLE ?
import-error-uai = L'UAI du fichier SIECLE ({ $found }) ne correspond pas à celui de votre établissement ({ $uai }).
import-error-student = Ligne { $line }, INE { $ine }, { $name } : { $reason }
import-reason-ine-duplicate = cet INE figure déjà ligne { $first }.
import-reason-sex = le code sexe est obligatoire (1 ou 2).
import-reason-birthdate = la date de naissance est obligatoire.
import-reason-birthdate-format = la date de naissance « { $value } » n'est pas au format JJ/MM/AAAA.
import-reason-birth-city = le code commune de naissance est obligatoire pour un élève né en France.
import-reason-last-name = le nom de famille est obligatoire.
import-reason-first-name = le prénom est obligatoire.
import-reason-invalid-char = le champ { $field } contient des caractères invalides (fichier modifié avec un mauvais encodage ?).
student-password-reset = Nouveau mot de passe à usage unique. Communiquez ce nouveau mot de passe à votre élève : il se connecte avec ce mot de passe à usage unique, puis Acquis lui demande d'en choisir un nouveau. Il ne sera plus affiché.
student-username-added = L'identifiant a été ajouté au compte de l'élève.
student-has-username = Ce compte a déjà un identifiant.
student-new-password = Mot de passe à usage unique
student-reset-password = Réinitialiser le mot de passe
student-add-username = Ajouter l'identifiant
student-manage = Gérer le compte
student-dissociate = Dissocier le compte
student-dissociate-confirm = Le compte sera détaché de cet élève : ses participations restent celles de l'élève, et l'élève pourra rejoindre une campagne avec le bon compte. Cette action est enregistrée dans le journal de l'établissement.
student-dissociate-submit = Confirmer la dissociation
student-dissociate-admins-only = Seuls les administrateurs de l'établissement peuvent dissocier un compte.
student-dissociated = Le compte a été dissocié de l'élève.
student-disabled = Cet élève ne figure plus dans le dernier import : il ne peut plus rejoindre de campagne.
students-reset-title = Réinitialiser les mots de passe
students-reset-submit = Réinitialiser les mots de passe des élèves sélectionnés (.csv)
students-reset-none = Sélectionnez au moins un élève.
students-reset-unknown = Un des élèves sélectionnés n'existe pas dans votre établissement.
students-reset-no-username = { $name } n'a pas d'identifiant : ajoutez-lui d'abord un identifiant.
students-reset-refused = Aucun mot de passe n'a été réinitialisé.
students-select = Sélectionner { $name }
campaign-export = Exporter les résultats (.csv)
participation-deleted-title = Participation supprimée
participation-deleted = Vous ne pouvez pas repasser la campagne : votre participation a été supprimée par l'établissement, et vos résultats ne peuvent plus être envoyés.
participation-delete-short = Supprimer
participation-delete-of = la participation de { $name }
participation-delete-title = Supprimer cette participation ?
participation-delete-confirm = Vous êtes sur le point de supprimer la participation de { $name }, celle-ci ne sera plus visible ni comprise dans les statistiques de la campagne. Le participant pourra terminer son parcours mais ne pourra plus envoyer ses résultats. Il ne pourra pas non plus participer de nouveau à cette campagne.
participation-delete-submit = Oui, je supprime
participation-deleted-done = La participation a été supprimée.
participation-delete-not-allowed = Seuls le propriétaire de la campagne et les administrateurs peuvent supprimer une participation.
campaign-owner = Propriétaire
campaign-edit = Modifier
campaign-edit-submit = Enregistrer les modifications
campaign-updated = La campagne a été modifiée.
campaign-error-owner = Le propriétaire doit être un membre de l'établissement.
campaign-tab-analysis = Analyse
analysis-title = Recommandation de sujets à travailler
analysis-intro = { $count ->
    [one] D'après les résultats envoyés par { $count } participant : les sujets à travailler en priorité sont en haut.
   *[other] D'après les résultats envoyés par { $count } participants : les sujets à travailler en priorité sont en haut.
}
analysis-col-subject = Sujet
analysis-col-competence = Compétence
analysis-col-relevance = Pertinence
analysis-col-tutorials = Tutos
analysis-col-mastery = Maîtrise moyenne
analysis-tutorials = { $count ->
    [one] { $count } tuto
   *[other] { $count } tutos
}
analysis-competences = Résultats par compétence
analysis-empty = L'analyse apparaîtra dès que des participants auront envoyé leurs résultats.
relevance-4 = Très recommandé
relevance-3 = Fortement recommandé
relevance-2 = Recommandé
relevance-1 = Assez recommandé
campaign-total-participants = Total de participants
campaign-average-stage = Palier moyen
campaign-stage-of = { $reached } sur { $total }
campaign-distribution = Répartition des participants par résultat
students-per-page-apply = Afficher

## Connexion des élèves par l'ENT (OpenID Connect)
sso-button = Se connecter avec l'ENT ({ $provider })
sso-login-title = Élève : connexion par l'ENT
sso-default-name = l'ENT
sso-failed-title = La connexion avec l'ENT a échoué
sso-failed = La connexion avec { $provider } n'a pas abouti : { $reason } Aucun compte n'a été créé ni modifié. Recommencez depuis la page de connexion ou le lien de votre campagne.
sso-reason-unreachable = le service de connexion de l'ENT ne répond pas. Réessayez dans quelques minutes ; si cela dure, prévenez votre établissement.
sso-reason-disabled = cette connexion n'est plus proposée.
sso-reason-state = la demande de connexion a expiré ou ne vient pas de ce navigateur (motif : état de la demande différent).
sso-reason-refused = l'ENT n'a pas autorisé la connexion.
sso-reason-code = l'ENT a refusé le code de connexion (déjà utilisé ou expiré).
sso-reason-audience = la réponse de l'ENT était destinée à un autre service (motif : audience).
sso-reason-expired = la réponse de l'ENT a expiré (motif : jeton expiré).
sso-reason-nonce = la réponse de l'ENT ne correspond pas à cette demande de connexion (motif : nonce).
sso-reason-signature = la signature de la réponse de l'ENT n'est pas valide.
sso-reason-token = la réponse de l'ENT n'a pas pu être vérifiée.
sso-reason-claim = l'ENT n'a pas transmis une information obligatoire ({ $claim }).
sso-conflict-title = Connexion impossible
sso-identity-linked-elsewhere = Cette connexion ENT est déjà reliée à un autre compte Acquis. Déconnectez-vous, puis utilisez « Se connecter avec l'ENT » pour retrouver ce compte.
sso-account-has-identity = Votre compte est déjà relié à une autre connexion { $provider }. Demandez à votre établissement de vérifier votre compte.
sso-expired = Votre connexion par l'ENT a expiré : recommencez.
sso-new-title = Rejoindre une campagne
sso-new-hello = Bonjour { $name } ! { $provider } vous a bien identifié.
sso-new-intro = Pour retrouver votre établissement, saisissez le code de la campagne donné par votre enseignant et votre date de naissance. Votre compte Acquis sera créé et relié à l'ENT : vous n'aurez pas de mot de passe à retenir.
sso-new-submit = Continuer
sso-new-have-account = Vous avez déjà un compte Acquis (adresse e-mail ou identifiant) ?
sso-new-have-account-link = J'ai déjà un compte
sso-code-missing = Saisissez le code de la campagne.
sso-other-establishment = Cette campagne n'appartient pas à un établissement qui utilise { $provider } : vérifiez le code, ou connectez-vous avec votre identifiant ou votre adresse e-mail.
sso-not-found = Nous ne trouvons pas d'élève à votre nom né à cette date dans la liste de l'établissement. Vérifiez votre date de naissance ; si elle est juste, demandez à votre enseignant de vérifier la liste des élèves.
sso-student-has-account = Cet élève possède déjà un compte ({ $login }). Connectez-vous avec ce compte via « J'ai déjà un compte » : votre connexion ENT y sera ajoutée.
sso-link-title = Relier votre compte à { $provider }
sso-link-intro = { $provider } vous a identifié comme { $name }. Voulez-vous relier cette connexion à votre compte { $account } ? Vous pourrez ensuite vous connecter avec « Se connecter avec l'ENT ».
sso-link-submit = Relier mon compte
sso-link-cancel = Annuler
sso-linked = Votre compte est maintenant relié à { $provider }. La prochaine fois, utilisez « Se connecter avec l'ENT ».
sso-staff-title = Espace réservé au personnel
sso-logout-title = Vous êtes déconnecté d'Acquis
sso-logout-text = Vous allez être déconnecté de l'ENT. Si rien ne se passe, utilisez le lien ci-dessous.
sso-logout-link = Me déconnecter aussi de l'ENT
sso-staff-refused = L'espace établissement et l'administration ne s'ouvrent pas avec une connexion ENT élève. Déconnectez-vous, puis connectez-vous avec votre adresse e-mail et votre mot de passe.

## Administration : fournisseurs d'identité
sso-admin-title = Connexion ENT (SSO)
sso-admin-intro = Les fournisseurs OpenID Connect par lesquels les élèves se connectent (ENT, médiacentre). Choisissez ensuite, sur la page de chaque établissement, le fournisseur de ses élèves.
sso-admin-redirect-uri = Adresse de retour à déclarer auprès du fournisseur :
sso-admin-logout-uri = Adresse de retour après déconnexion :
sso-admin-new = Nouveau fournisseur
sso-admin-back = ← Fournisseurs d'identité
sso-admin-col-establishments = Établissements
sso-admin-enabled = Activé
sso-admin-disabled = Désactivé
sso-admin-none = Aucun fournisseur n'est configuré.
sso-admin-no-establishment = Aucun établissement n'utilise ce fournisseur.
sso-admin-field-name = Nom affiché aux élèves
sso-admin-field-name-hint = Par exemple : ENT / Médiacentre
sso-admin-field-issuer = Émetteur (issuer)
sso-admin-field-issuer-hint = Adresse HTTPS ; la configuration est lue à l'adresse /.well-known/openid-configuration.
sso-admin-field-client-id = Identifiant client (client_id)
sso-admin-field-secret = Secret client (client_secret)
sso-admin-field-secret-hint = Chiffré dès l'enregistrement ; il ne sera plus jamais affiché.
sso-admin-field-secret-keep = Laissez vide pour conserver le secret enregistré (il n'est jamais affiché).
sso-admin-field-scopes = Portées (scopes)
sso-admin-field-scopes-hint = Séparées par des espaces ; openid est obligatoire.
sso-admin-claims = Correspondance des informations (claims)
sso-admin-claim-subject = Identifiant de l'élève
sso-admin-claim-first-name = Prénom
sso-admin-claim-last-name = Nom
sso-admin-claim-birthdate = Date de naissance (AAAA-MM-JJ)
sso-admin-claim-uai = UAI de l'établissement
sso-admin-optional = Facultatif.
sso-admin-field-enabled = Activé (proposé aux élèves)
sso-admin-save = Enregistrer
sso-admin-create = Créer le fournisseur
sso-admin-name-missing = Indiquez le nom affiché aux élèves.
sso-admin-issuer-invalid = L'émetteur doit être une adresse HTTPS (HTTP seulement sur cette machine : 127.0.0.1 ou localhost).
sso-admin-client-id-missing = Indiquez l'identifiant client.
sso-admin-secret-missing = Indiquez le secret client.
sso-admin-scopes-invalid = Les portées doivent contenir openid.
sso-admin-claim-invalid = Indiquez un nom d'information sans espace.
sso-admin-created = Le fournisseur { $name } a été créé.
sso-admin-saved = Les modifications ont été enregistrées.
sso-admin-unknown-provider = Ce fournisseur d'identité n'existe pas.
sso-admin-establishment-title = Connexion des élèves par l'ENT
sso-admin-establishment-label = Fournisseur d'identité des élèves
sso-admin-establishment-none-option = Aucun (identifiant ou adresse e-mail seulement)
sso-admin-establishment-submit = Enregistrer le fournisseur
sso-admin-establishment-set = Les élèves de cet établissement se connectent désormais avec { $name }.
sso-admin-establishment-none = Les élèves de cet établissement ne se connectent plus par un ENT.

## Colonnes des exports CSV (celles de la référence)
csv-organization = Nom de l'organisation
csv-campaign-id = ID Campagne
csv-code = Code
csv-campaign-name = Nom de la campagne
csv-target-profile = Parcours
csv-last-name = Nom du Participant
csv-first-name = Prénom du Participant
csv-class = Classe
csv-progress = % de progression
csv-started = Date de début
csv-shared = Partage (O/N)
csv-shared-at = Date du partage
csv-mastery = % maitrise de l'ensemble des acquis du profil
csv-sent = Envoi (O/N)
csv-sent-at = Date de l'envoi
csv-pix = Nombre de pix total
csv-certifiable = Certifiable (O/N)
csv-certifiable-competences = Nombre de compétences certifiables
csv-stage = Palier obtenu (/{ $total })
csv-badge = { $badge } obtenu (O/N)
csv-competence-mastery = % de maitrise des acquis de la compétence { $name }
csv-competence-skills = Nombre d'acquis du profil cible dans la compétence { $name }
csv-competence-validated = Acquis maitrisés dans la compétence { $name }
csv-area-mastery = % de maitrise des acquis du domaine { $area }
csv-area-skills = Nombre d'acquis du profil cible du domaine { $area }
csv-area-validated = Acquis maitrisés du domaine { $area }
csv-competence-level = Niveau pour la compétence { $name }
csv-competence-pix = Nombre de pix pour la compétence { $name }
csv-sheet-last-name = Nom
csv-sheet-first-name = Prénom
csv-sheet-username = Identifiant
csv-sheet-password = Mot de passe

## Operators: target profiles offered to establishments, content designers
offer-admin-title = Profils cibles
offer-admin-intro = Choisissez à quels établissements chaque profil cible est proposé à la création d'une campagne. Un profil proposé à une liste le reste pour les versions suivantes de son paquet.
offer-col-name = Nom
offer-col-category = Catégorie
offer-col-package = Paquet
offer-col-offered = Proposé à
offer-all = Tous les établissements
offer-list = Les établissements de la liste ci-dessous
offer-count = { $count ->
    [0] Aucun établissement
    [one] 1 établissement
   *[other] { $count } établissements
}
offer-none = Aucun profil cible publié.
offer-back = Retour aux profils cibles
offer-package = paquet { $id } { $version }
offer-legend = Proposer ce profil cible à
offer-uai-label = UAI des établissements
offer-uai-hint = Un UAI par ligne (ou séparés par des virgules). Utilisé quand le profil est proposé à une liste.
offer-save = Enregistrer
offer-current = Établissements de la liste
offer-current-none = Aucun établissement dans la liste.
offer-error-choice = Choisissez à qui proposer ce profil cible.
offer-error-unknown-uai = Aucun établissement n'a l'UAI { $uai }.
offer-error-empty = Indiquez au moins un UAI, ou proposez le profil à tous les établissements.
offer-saved-all = « { $name } » est proposé à tous les établissements.
offer-saved-list = « { $name } » est proposé à { $count ->
    [one] 1 établissement
   *[other] { $count } établissements
}.
designer-admin-title = Concepteurs
designer-admin-intro = Les concepteurs publient des paquets de contenu (types d'épreuves, épreuves, profils cibles) depuis le studio ou avec acquis-pack.
designer-col-name = Nom
designer-col-email = Adresse e-mail
designer-col-actions = Actions
designer-remove = Retirer le rôle de { $name }
designer-none = Aucun concepteur pour l'instant.
designer-add-title = Ajouter un concepteur
designer-add-intro = Un compte existant reçoit le rôle de concepteur. Sinon un compte est créé avec un mot de passe à usage unique, affiché une seule fois.
designer-field-email = Adresse e-mail
designer-field-first-name = Prénom
designer-field-last-name = Nom
designer-field-new-only = Seulement pour un nouveau compte.
designer-add = Ajouter
designer-created = Compte créé. Transmettez ces informations au concepteur : le mot de passe ne sera plus affiché et devra être changé à la première connexion.
designer-created-login = Identifiant :
designer-created-password = Mot de passe à usage unique :
designer-added = { $name } est maintenant concepteur.
designer-removed = { $name } n'est plus concepteur.
designer-error-email = L'adresse e-mail « { $email } » n'est pas valide.
designer-error-operator = Ce compte est celui d'un opérateur : il ne peut pas devenir concepteur.
designer-error-first-name = Indiquez le prénom du nouveau concepteur.
designer-error-last-name = Indiquez le nom du nouveau concepteur.
designer-error-taken = Un compte vient d'être créé avec cette adresse : ajoutez-le à nouveau.
nav-studio = Studio

## Studio (content designers)
studio-title = Studio
studio-intro = Déposez un paquet de contenu : il est vérifié comme à la publication (tailles, chemins, empreintes, composants, chaque épreuve validée par son type, chaque réponse d'exemple corrigée). Rien n'est enregistré tant que vous n'avez pas cliqué sur « Publier ».
studio-packages = Paquets publiés
studio-tokens = Jetons d'API
studio-upload-title = Déposer un paquet
studio-upload-label = Paquet (.zip)
studio-upload-hint = Archive construite par « acquis-pack pack », { $max } Mo au maximum.
studio-upload-submit = Vérifier le paquet
studio-error-no-file = Choisissez le fichier .zip du paquet.
studio-error-too-large = Le paquet dépasse { $max } Mo.
studio-col-package = Paquet
studio-col-version = Version
studio-col-published = Publiée le
studio-col-by = Par
studio-col-profiles = Profils cibles
studio-col-size = Taille
studio-col-file = Fichier
studio-col-problem = Problème
studio-col-stages = Paliers
studio-col-badges = Badges
studio-col-selector = Sélection des épreuves
studio-col-challenge = Épreuve
studio-col-type = Type
studio-col-competence = Compétence
studio-col-skill = Acquis
studio-col-instruction = Consigne
studio-selector-own = Sélecteur du paquet (Wasm)
studio-selector-engine = Moteur adaptatif
studio-no-package = Aucun paquet publié.
studio-no-profile = Ce paquet ne contient pas de profil cible.
studio-by-platform = Plateforme (contenu intégré)
studio-back = Retour au studio
studio-back-package = Retour au paquet { $id } { $version }
studio-report-title = Rapport de vérification
studio-report-file = Fichier déposé : { $name }
studio-report-refused = { $count ->
    [one] Le paquet est refusé : 1 problème à corriger. Rien n'a été enregistré.
   *[other] Le paquet est refusé : { $count } problèmes à corriger. Rien n'a été enregistré.
}
studio-report-problems = Problèmes trouvés
studio-report-ready = Le paquet a passé toutes les vérifications.
studio-report-already = Cette version de ce paquet est déjà publiée, avec exactement ce contenu.
studio-report-api = Version de l'API
studio-report-digest = Empreinte (sha256)
studio-report-files = Fichiers
studio-report-challenges = Épreuves validées
studio-report-examples = Réponses d'exemple corrigées comme attendu
studio-report-publish-hint = Une version publiée ne change plus : pour corriger, publiez une nouvelle version. Les nouveaux profils cibles ne sont proposés à aucun établissement tant qu'un opérateur ne l'a pas décidé.
studio-publish = Publier
studio-see-package = Voir le paquet publié
studio-upload-again = Déposer un autre paquet
studio-upload-expired = La vérification de ce paquet a expiré : déposez-le à nouveau.
studio-version-taken = La version { $version } du paquet { $id } est déjà publiée avec un autre contenu. Une version publiée ne change plus : augmentez le numéro de version.
studio-published = Version { $version } du paquet { $id } publiée.
studio-already-published = Cette version était déjà publiée.
studio-challenges = { $count ->
    [one] 1 épreuve
   *[other] { $count } épreuves
}
studio-preview-title = Épreuve { $id }
studio-preview-intro = Aperçu rendu par le type « { $kind } », avec la graine { $seed } (l'ordre des propositions mélangées en dépend).
studio-preview-other-seed = Voir avec une autre graine
studio-try = Corriger ma réponse
studio-definition = Définition de l'épreuve (JSON)
studio-verdict-title = Correction
studio-verdict-ok = Bonne réponse
studio-verdict-ko = Mauvaise réponse
studio-verdict-partially = Réponse partiellement juste
studio-verdict-answer = Réponse transmise au type d'épreuve
studio-verdict-fields = Détail par champ
studio-verdict-feedback = Retour
studio-verdict-solution = Solution affichée à l'élève
studio-verdict-usage = Ressources de l'appel
studio-verdict-usage-value = { $fuel } instructions, { $memory } de mémoire au plus
studio-tokens-intro = Un jeton permet à « acquis-pack publish » de publier en votre nom. Il n'est affiché qu'une fois : conservez-le comme un mot de passe, et révoquez-le s'il a pu être vu.
studio-token-created = Voici votre jeton. Il ne sera plus affiché.
studio-token-usage = Pour publier un paquet :
studio-token-name = Nom du jeton
studio-token-name-hint = Pour le reconnaître, par exemple « Poste de travail » ou « Intégration continue ».
studio-token-created-at = Créé le
studio-token-last-used = Dernière utilisation
studio-token-never = Jamais
studio-token-revoke = Révoquer le jeton « { $name } »
studio-token-none = Aucun jeton actif.
studio-token-new = Créer un jeton
studio-token-create = Créer le jeton
studio-token-error-name = Donnez un nom au jeton (100 caractères au maximum).
studio-token-revoked = Jeton révoqué : il ne permet plus de publier.
studio-api-unauthorized = Jeton absent, inconnu ou révoqué : créez un jeton dans le studio (Jetons d'API).

## Competence reset (Mon profil)
competence-reset-link = Remettre à zéro
competence-reset-from = Remise à zéro possible à partir du { $date }
competence-reset-title = Remettre à zéro : { $name }
competence-reset-back = Retour à mon profil
competence-reset-explain = La remise à zéro efface ce que vous avez montré sur cette compétence, pour repartir de zéro :
competence-reset-explain-level = son niveau et ses pix reviennent à zéro sur votre profil ;
competence-reset-explain-campaigns = les parcours en cours qui l'évaluent vous reposeront ses questions ;
competence-reset-explain-sent = les résultats déjà envoyés à un établissement ne changent pas.
competence-reset-cancel = Annuler
competence-reset-submit = Remettre à zéro
competence-reset-done = La compétence « { $name } » a été remise à zéro.
competence-reset-nothing = Vous n'avez encore répondu à aucune question de cette compétence : il n'y a rien à remettre à zéro.
competence-reset-too-early = Une compétence peut être remise à zéro 7 jours après votre dernière réponse : ce sera possible à partir du { $date }.

## Timed challenges
timed-title = Question chronométrée
timed-intro = Vous aurez { $duration } pour répondre à la question suivante. Le temps commence quand vous cliquez sur « Commencer ».
timed-after = Une réponse donnée après ce temps est enregistrée, mais elle ne compte pas comme réussie.
timed-start = Commencer
timed-running = Question chronométrée : { $duration } pour répondre, jusqu'à { $until }.
challenge-timed-out = Le temps imparti était écoulé : votre réponse est enregistrée mais ne compte pas comme réussie.
