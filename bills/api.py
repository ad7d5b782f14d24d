"""Read API for bills: the list, a bill, a version's provision tree, a diff."""

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bills import selectors
from bills.diff import word_diff
from bills.forms import BillFilterForm


class ChamberOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class CommitteeOutput(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    chamber = serializers.CharField(source="chamber.slug")


class VersionSummaryOutput(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.CharField()
    published_at = serializers.DateTimeField()


class BillOutput(serializers.Serializer):
    number = serializers.CharField()
    slug = serializers.CharField()
    title = serializers.CharField()
    summary = serializers.CharField()
    proponents = serializers.CharField()
    stage = serializers.CharField()
    origin_chamber = ChamberOutput()
    committees = CommitteeOutput(many=True, source="committees.all")
    external_url = serializers.CharField()


class BillDetailOutput(BillOutput):
    versions = VersionSummaryOutput(many=True, source="published_versions")


class ProvisionOutput(serializers.Serializer):
    eid = serializers.CharField()
    kind = serializers.CharField()
    group_type = serializers.CharField()
    label = serializers.CharField()
    heading = serializers.CharField()
    text = serializers.CharField()
    children = serializers.SerializerMethodField()

    def get_children(self, provision) -> list[dict]:
        return ProvisionOutput(provision.child_nodes, many=True).data


class VersionOutput(serializers.Serializer):
    bill = serializers.CharField(source="bill.number")
    number = serializers.IntegerField()
    kind = serializers.CharField()
    published_at = serializers.DateTimeField()
    provisions = ProvisionOutput(many=True)


class SegmentOutput(serializers.Serializer):
    op = serializers.ChoiceField(choices=["equal", "insert", "delete"])
    text = serializers.CharField()


class SideOutput(serializers.Serializer):
    eid = serializers.CharField()
    label = serializers.CharField()


class DiffRowOutput(serializers.Serializer):
    status = serializers.CharField()
    old = SideOutput(allow_null=True)
    new = SideOutput(allow_null=True)
    segments = SegmentOutput(many=True)


class BillPagination(PageNumberPagination):
    page_size = 20
    max_page_size = 100
    page_size_query_param = "page_size"


class BillListApi(APIView):
    """Bills with a published text, filtered and searched like the bill list page."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[
            OpenApiParameter("q", str, description="Search words"),
            OpenApiParameter("chamber", str, description="Chamber slug"),
            OpenApiParameter("committee", str, description="Committee slug"),
            OpenApiParameter("stage", str, description="Stage"),
            OpenApiParameter("page", int),
        ],
        responses={200: BillOutput(many=True)},
    )
    def get(self, request: Request) -> Response:
        form = BillFilterForm(request.query_params)
        if request.query_params and not form.is_valid():
            raise serializers.ValidationError(form.errors)
        paginator = BillPagination()
        page = paginator.paginate_queryset(
            selectors.bill_list(**form.filters()), request, view=self
        )
        return paginator.get_paginated_response(BillOutput(page, many=True).data)


class BillDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: BillDetailOutput, 404: None})
    def get(self, request: Request, slug: str) -> Response:
        return Response(BillDetailOutput(selectors.bill_for_page(slug)).data)


class BillVersionApi(APIView):
    """A published version with its whole provision tree."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: VersionOutput, 404: None})
    def get(self, request: Request, slug: str, number: int) -> Response:
        bill = selectors.bill_for_page(slug)
        version = selectors.published_version(bill, number)
        version.provisions_tree = selectors.provision_tree(version)
        data = VersionOutput(
            {
                "bill": bill,
                "number": version.number,
                "kind": version.kind,
                "published_at": version.published_at,
                "provisions": version.provisions_tree,
            }
        ).data
        return Response(data)


class BillVersionDiffApi(APIView):
    """Provision by provision, word by word, between two published versions."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: DiffRowOutput(many=True), 404: None})
    def get(self, request: Request, slug: str, old: int, new: int) -> Response:
        bill = selectors.bill_for_page(slug)
        rows = selectors.version_comparison(
            selectors.published_version(bill, old), selectors.published_version(bill, new)
        )
        data = [
            {
                "status": row.status,
                "old": row.old,
                "new": row.new,
                "segments": [
                    {"op": segment.op, "text": segment.text}
                    for segment in word_diff(row.old_text, row.new_text)
                ],
            }
            for row in rows
        ]
        return Response(DiffRowOutput(data, many=True).data)
