"""Bills built through the services, from trees written in the test."""

from bills import services
from bills.importers.base import Node, ParseResult, assign_eids
from bills.models import Chamber, Committee


def chamber(slug: str = "diputados") -> Chamber:
    return services.chamber_ensure(
        slug=slug, name_es="Cámara de Diputados", name_en="Chamber of Deputies"
    )


def committee(chamber_: Chamber, slug: str = "descentralizacion") -> Committee:
    return services.committee_ensure(
        chamber=chamber_,
        slug=slug,
        name_es="Comisión de Descentralización",
        name_en="Decentralisation",
    )


def article(number: int | str, text: str, heading: str = "", children=()) -> Node:
    return Node(
        kind="article",
        label=f"Artículo {number}.-",
        heading=heading,
        text=text,
        children=list(children),
    )


def tree(articles: int = 3, *, changed: dict[int, str] | None = None) -> ParseResult:
    """A title with one chapter of ``articles`` articles, plus a final provision."""
    changed = changed or {}
    body = [
        article(
            n,
            changed.get(n, f"Texto del artículo {n} sobre la participación ciudadana."),
            heading=f"Epígrafe {n}",
        )
        for n in range(1, articles + 1)
    ]
    nodes = [
        Node(kind="title", label="TÍTULO I", heading="DISPOSICIONES GENERALES", children=[
            Node(kind="chapter", label="CAPÍTULO I", heading="OBJETO", children=body),
        ]),
        Node(kind="provisions_group", heading="DISPOSICIONES COMPLEMENTARIAS FINALES",
             group_type="final", children=[
                 Node(kind="provision", label="PRIMERA.-", heading="Vigencia",
                      text="La ley rige desde el día siguiente de su publicación."),
             ]),
    ]  # fmt: skip
    assign_eids(nodes)
    return ParseResult(nodes=nodes)


def published_bill(number: str = "1234/2025-CR", *, articles: int = 3, versions: int = 1):
    """A bill with ``versions`` published versions; the later ones change article 2."""
    origin = chamber()
    bill = services.bill_create(
        number=number,
        title="Ley de prueba sobre participación ciudadana",
        origin_chamber=origin,
        committees=[committee(origin)],
        summary="Un resumen para buscar.",
    )
    for index in range(versions):
        changes = {2: f"Texto cambiado en la versión {index + 1}."} if index else {}
        result = tree(articles, changed=changes)
        version = services.bill_version_create(
            bill=bill,
            result=result,
            source_format="text",
            source_name="fuente.txt",
            source_bytes=f"fuente {index}".encode(),
        )
        services.bill_version_publish(version=version)
    return bill
