"""Peru's population by region, to set each region's share of participants
next to its share of the people.

Source: INEI, Censos Nacionales 2017: XII de Población, table "pob_03"
(población censada por departamento), the 2017 column. Census counts: the
census omission (1,855,501 people) is not included. Lima is split as INEI
splits it: the province of Lima (Lima Metropolitana) and the rest of the
department (Lima Provincias). People abroad have no census figure here.
"""

SOURCE = (
    "INEI, Censos Nacionales 2017: XII de Población, cuadro pob_03 "
    "(población censada por departamento, 2017)"
)

# Region code (accounts.regions) → population counted in 2017.
CENSUS_2017 = {
    "amazonas": 379_384,
    "ancash": 1_083_519,
    "apurimac": 405_759,
    "arequipa": 1_382_730,
    "ayacucho": 616_176,
    "cajamarca": 1_341_012,
    "callao": 994_494,
    "cusco": 1_205_527,
    "huancavelica": 347_639,
    "huanuco": 721_047,
    "ica": 850_765,
    "junin": 1_246_038,
    "la-libertad": 1_778_080,
    "lambayeque": 1_197_260,
    "lima-metropolitana": 8_574_974,
    "lima-provincias": 910_431,
    "loreto": 883_510,
    "madre-de-dios": 141_070,
    "moquegua": 174_863,
    "pasco": 254_065,
    "piura": 1_856_809,
    "puno": 1_172_697,
    "san-martin": 813_381,
    "tacna": 329_332,
    "tumbes": 224_863,
    "ucayali": 496_459,
}
TOTAL_2017 = 29_381_884
