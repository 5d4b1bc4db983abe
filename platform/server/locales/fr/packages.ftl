# Content packages: who owns a package or challenge-type id, versions that only go up, and the
# operators' page that transfers an id (issue 19, points 15 to 17).
packages-reserved = L'identifiant « { $name } » est réservé au contenu intégré de la plateforme : choisissez-en un autre.
packages-not-owner = Le paquet « { $name } » a été publié par un autre compte : choisissez un autre identifiant, ou demandez à un opérateur de vous le transférer.
packages-type-reserved = Le type d'épreuve « { $name } » est un type intégré de la plateforme : nommez le vôtre autrement.
packages-type-not-owner = Le type d'épreuve « { $name } » a été publié par un autre compte : nommez le vôtre autrement, ou demandez à un opérateur de vous le transférer.
packages-not-newer = La version { $version } n'est pas supérieure à la version courante { $current } du paquet { $id } : elle n'est pas publiée. Publiez une version supérieure (par exemple { $next }).
packages-unusable = Le contenu a passé les vérifications mais ne peut pas être servi : { $error }
packages-check-interrupted = La vérification a été interrompue : déposez le paquet à nouveau.
owners-admin-title = Paquets et types
owners-admin-intro = Un identifiant de paquet ou de type d'épreuve appartient au compte qui l'a publié le premier : lui seul en publie les versions suivantes. Les identifiants du contenu intégré sont réservés à la plateforme. Quand l'auteur d'un paquet change, transférez son identifiant à un autre concepteur.
owners-col-kind = Nature
owners-kind-package = Paquet
owners-kind-type = Type d'épreuve
owners-col-name = Identifiant
owners-col-owner = Appartient à
owners-col-transfer = Transférer
owners-platform = Plateforme (réservé)
owners-transfer-label = Adresse e-mail du concepteur qui reçoit « { $name } »
owners-transfer = Transférer
owners-none = Aucun paquet publié par un concepteur.
owners-error-not-designer = Aucun concepteur n'a l'adresse « { $email } ».
owners-error-same = « { $name } » appartient déjà à ce compte.
owners-transferred = « { $name } » appartient maintenant à { $owner }.
