"""The regions a participant can choose, loaded as data by a migration.

Peru's 24 departments (ISO 3166-2:PE), with Lima split as its voters and
statistics split it — Lima Metropolitana (the province of Lima) and Lima
Provincias (the rest of the department) — the Constitutional Province of
Callao, and people living abroad.
"""

# (code, name_es, name_en, official_code)
PERU_REGIONS = [
    ("amazonas", "Amazonas", "Amazonas", "PE-AMA"),
    ("ancash", "Áncash", "Ancash", "PE-ANC"),
    ("apurimac", "Apurímac", "Apurimac", "PE-APU"),
    ("arequipa", "Arequipa", "Arequipa", "PE-ARE"),
    ("ayacucho", "Ayacucho", "Ayacucho", "PE-AYA"),
    ("cajamarca", "Cajamarca", "Cajamarca", "PE-CAJ"),
    (
        "callao",
        "Provincia Constitucional del Callao",
        "Constitutional Province of Callao",
        "PE-CAL",
    ),
    ("cusco", "Cusco", "Cusco", "PE-CUS"),
    ("huancavelica", "Huancavelica", "Huancavelica", "PE-HUV"),
    ("huanuco", "Huánuco", "Huanuco", "PE-HUC"),
    ("ica", "Ica", "Ica", "PE-ICA"),
    ("junin", "Junín", "Junin", "PE-JUN"),
    ("la-libertad", "La Libertad", "La Libertad", "PE-LAL"),
    ("lambayeque", "Lambayeque", "Lambayeque", "PE-LAM"),
    ("lima-metropolitana", "Lima Metropolitana", "Metropolitan Lima", "PE-LMA"),
    ("lima-provincias", "Lima Provincias", "Lima Provinces", "PE-LIM"),
    ("loreto", "Loreto", "Loreto", "PE-LOR"),
    ("madre-de-dios", "Madre de Dios", "Madre de Dios", "PE-MDD"),
    ("moquegua", "Moquegua", "Moquegua", "PE-MOQ"),
    ("pasco", "Pasco", "Pasco", "PE-PAS"),
    ("piura", "Piura", "Piura", "PE-PIU"),
    ("puno", "Puno", "Puno", "PE-PUN"),
    ("san-martin", "San Martín", "San Martin", "PE-SAM"),
    ("tacna", "Tacna", "Tacna", "PE-TAC"),
    ("tumbes", "Tumbes", "Tumbes", "PE-TUM"),
    ("ucayali", "Ucayali", "Ucayali", "PE-UCA"),
]
ABROAD = ("abroad", "Residente en el extranjero", "Living abroad", "")
