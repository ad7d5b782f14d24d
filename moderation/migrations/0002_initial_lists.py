"""The word lists and blocked domains a new installation starts with.

Administrators edit them in the admin (Moderation → screened words, blocked
domains). Words match whole, after normalising case, accents, repeated letters
and character substitutions; a trailing * matches any ending. Words that are
also ordinary words or names (perra, rata, gil, Kike, Morón…) are left out:
they would hold innocent comments; administrators can add what their
moderators see in practice.
"""

from django.db import migrations

SPANISH_INSULTS = [
    "idiota",
    "idiotas",
    "imbécil",
    "imbéciles",
    "estúpid*",
    "estupidez",
    "tarad*",
    "cojud*",
    "cojudez",
    "huevón",
    "huevona",
    "huevones",
    "huevonazo",
    "webón*",
    "weón*",
    "conchatumadre",
    "conchasumadre",
    "conchatumare",
    "conchesumare",
    "concha de tu madre",
    "concha de su madre",
    "csm",
    "ctm",
    "hijo de puta",
    "hija de puta",
    "hijos de puta",
    "hdp",
    "hdtp",
    "pendej*",
    "mierda",
    "mierdas",
    "carajo",
    "puta",
    "putas",
    "puto",
    "putos",
    "malparid*",
    "baboso",
    "babosa",
    "babosos",
    "mongol",
    "mongolazo",
    "cabrón",
    "cabrona",
    "cabrones",
    "mamahuev*",
    "pezuñent*",
    "terruc*",
    "lameculos",
    "soplapollas",
    "gilipollas",
    "chupapinga*",
    "pinga",
    "pingas",
    "mal nacido",
    "malnacid*",
]
SPANISH_SLURS = [
    "maricón",
    "maricones",
    "marica",
    "maricas",
    "mariconazo",
    "cabro",
    "cabros",
    "rosquete",
    "rosquetes",
    "sudaca",
    "sudacas",
    "cholo de mierda",
    "chola de mierda",
    "serrano de mierda",
    "serrana de mierda",
    "indio de mierda",
    "india de mierda",
    "negro de mierda",
    "negra de mierda",
    "indio bruto",
    "cholo bruto",
]
ENGLISH_INSULTS = [
    "idiot",
    "idiots",
    "stupid",
    "dumbass",
    "asshole*",
    "bastard*",
    "bitch*",
    "fuck*",
    "motherfuck*",
    "shit",
    "shitty",
    "bullshit",
    "dickhead*",
    "scumbag*",
    "cunt*",
    "wanker*",
]
ENGLISH_SLURS = [
    "retard",
    "retards",
    "retarded",
    "faggot*",
    "fag",
    "fags",
    "nigger*",
    "nigga*",
    "spic",
    "spics",
    "wetback*",
    "tranny",
    "trannies",
]
SHORTENERS = [
    "bit.ly",
    "tinyurl.com",
    "goo.gl",
    "ow.ly",
    "is.gd",
    "buff.ly",
    "cutt.ly",
    "rebrand.ly",
    "shorturl.at",
    "rb.gy",
    "tiny.cc",
    "s.id",
    "t.ly",
    "v.gd",
]


def add(apps, schema_editor):
    Term = apps.get_model("moderation", "Term")
    BlockedDomain = apps.get_model("moderation", "BlockedDomain")
    terms = [
        Term(text=text, category=category, language=language)
        for words, category, language in (
            (SPANISH_INSULTS, "insult", "es"),
            (SPANISH_SLURS, "slur", "es"),
            (ENGLISH_INSULTS, "insult", "en"),
            (ENGLISH_SLURS, "slur", "en"),
        )
        for text in words
    ]
    Term.objects.bulk_create(terms, ignore_conflicts=True)
    note = "Link shortener: hides where the link leads."
    BlockedDomain.objects.bulk_create(
        [BlockedDomain(domain=domain, note=note) for domain in SHORTENERS], ignore_conflicts=True
    )


class Migration(migrations.Migration):
    dependencies = [("moderation", "0001_initial")]

    operations = [migrations.RunPython(add, migrations.RunPython.noop)]
