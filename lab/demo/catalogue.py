"""What the demo lab holds (accounts, prototypes, groups, deployments): one list the loader and the trials share."""

from __future__ import annotations

VOIRIE = "signaler-une-anomalie-sur-la-voie-publique"
CANTINE = "inscrire-son-enfant-a-la-restauration-scolaire"
SALLE = "reserver-une-salle-municipale"

ACCOUNTS = (
    ("admin", "admin@demo.servicelab.fr", "Aïcha Benali", "demo-admin-servicelab"),
    ("staff", "equipe@demo.servicelab.fr", "Julien Moreau", "demo-equipe-servicelab"),
    ("manager", "direction@demo.servicelab.fr", "Catherine Lefèvre", "demo-direction-servicelab"),
)

PROTOTYPES = (
    # (example file, v1 changelog, [(later iteration's file in data/prototypes, changelog)])
    (
        "voirie.yaml",
        "Première version, construite avec l'accueil de la mairie et la direction de l'espace public.",
        [
            (
                "voirie-v2.yaml",
                "Vous avez trouvé la date du constat obligatoire et les catégories trop floues : la date "
                "devient facultative, une catégorie « Végétation » apparaît et l'adresse peut être "
                "approximative. Les photos d'iPhone (HEIC) et jusqu'à 10 Mo sont acceptées.",
            )
        ],
    ),
    (
        "restauration-scolaire.yaml",
        "Première version dématérialisée du dossier papier d'inscription à la cantine.",
        [
            (
                "restauration-scolaire-v2.yaml",
                "Beaucoup de parents ne savaient pas où trouver leur quotient familial : l'aide l'explique "
                "et le champ peut rester vide. Une photo de l'attestation prise au téléphone est acceptée.",
            )
        ],
    ),
    ("salle-municipale.yaml", "Première version de la réservation en ligne des salles municipales.", []),
)

NEIGHBOURHOODS = ("Nord", "Centre", "Gare", "Les Tilleuls", "Bords de Loire")
# (name, description, participants, age bands drawn for their profiles)
GROUPS = (
    (
        "Seniors quartier Nord",
        "Habitant·es de 65 ans et plus recruté·es avec le centre social du quartier Nord.",
        24,
        ("65-74 ans", "75 ans et plus"),
    ),
    (
        "Parents d'élèves – école Jules-Ferry",
        "Parents volontaires rencontrés à la sortie de l'école et via l'association de parents.",
        30,
        ("25-39 ans", "40-54 ans"),
    ),
    (
        "Associations et usagers des salles",
        "Responsables d'associations et particuliers ayant réservé une salle en 2025.",
        16,
        ("25-39 ans", "40-54 ans", "55-64 ans"),
    ),
)

# (title, prototype slug, iteration number, indexes in GROUPS, opens (days from now), closes, quota, sus, umux)
DEPLOYMENTS = (
    ("Signalement voirie v1 – tests en mairie annexe", VOIRIE, 1, (0, 1), -70, -40, None, True, False),
    ("Signalement voirie v2 – quartier Nord et parents", VOIRIE, 2, (0, 1), -10, 20, 150, True, False),
    ("Cantine v1 – parents de Jules-Ferry", CANTINE, 1, (1,), -80, -50, None, True, True),
    ("Cantine v2 – rentrée de janvier", CANTINE, 2, (1,), 10, 40, 100, True, True),
    ("Réservation de salle v1 – associations", SALLE, 1, (2,), -5, 25, 80, False, True),
)

#: A fictional commune (its postcode does not exist, its domains are reserved for examples).
ORGANISATION = {
    "name": "Ville de Rivebelle",
    "short_name": "Rivebelle",
    "address": "Hôtel de ville\n1 place de la Mairie\n45999 Rivebelle",
    "dpo_contact": "dpo@rivebelle.example, Hôtel de ville, 45999 Rivebelle",
    "website": "https://www.rivebelle.example",
    "accessibility_contact": "accessibilite@rivebelle.example ou 02 99 00 00 00",
    "retention_days": "365",
}
