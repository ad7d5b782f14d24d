"""API for consultations: read them with their tallies; vote, comment, propose,
support and follow. Every write goes through consultations.services."""

from django.conf import settings
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bills.models import Provision
from config.api import StrictCharField
from config.ratelimit import allow
from consultations import services
from consultations.models import (
    Comment,
    Consultation,
    ConsultationStatus,
    ItemStatus,
    Proposal,
    VoteChoice,
)
from consultations.selectors import published_counts, vote_tallies


def _limit(request: Request, action: str) -> None:
    """Per person and per address, atomic; 429 with a clear message past it."""
    per_user, per_ip, window = settings.APORTA_PARTICIPATION_RATE_LIMITS[action]
    address = request.META.get("REMOTE_ADDR", "")
    if not allow(key=f"{action}:user:{request.user.pk}", limit=per_user, window=window) or not (
        allow(key=f"{action}:ip:{address}", limit=per_ip, window=window)
    ):
        raise Throttled(detail=_("Too many requests. Wait a moment and try again."))


def _consultation(pk: int) -> Consultation:
    return get_object_or_404(
        Consultation.objects.select_related("version__bill", "committee", "chamber"), pk=pk
    )


def _provision(consultation: Consultation, eid: str | None) -> Provision | None:
    if not eid:
        return None
    return get_object_or_404(Provision, version=consultation.version_id, eid=eid)


class ConsultationOutput(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    bill = serializers.CharField(source="version.bill.number")
    bill_slug = serializers.CharField(source="version.bill.slug")
    version = serializers.IntegerField(source="version.number")
    committee = serializers.CharField(source="committee.slug")
    status = serializers.CharField()
    opens_at = serializers.DateTimeField()
    closes_at = serializers.DateTimeField()
    moderation_policy = serializers.CharField()
    questions = serializers.ListField(child=serializers.CharField())


class TallyOutput(serializers.Serializer):
    provision = serializers.CharField(allow_null=True)
    agree = serializers.IntegerField()
    disagree = serializers.IntegerField()
    abstain = serializers.IntegerField()
    comments = serializers.IntegerField()
    proposals = serializers.IntegerField()


class ConsultationDetailOutput(ConsultationOutput):
    tallies = TallyOutput(many=True)


class ConsultationListApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses={200: ConsultationOutput(many=True)})
    def get(self, request: Request) -> Response:
        consultations = (
            Consultation.objects.exclude(status=ConsultationStatus.DRAFT)
            .select_related("version__bill", "committee")
            .order_by("-opens_at", "-pk")
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(consultations, request, view=self)
        return paginator.get_paginated_response(ConsultationOutput(page, many=True).data)


class ConsultationDetailApi(APIView):
    """A consultation with agree/disagree/abstain and item counts per provision."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: ConsultationDetailOutput, 404: None})
    def get(self, request: Request, pk: int) -> Response:
        consultation = _consultation(pk)
        votes = vote_tallies(consultation)
        items = published_counts(consultation)
        eids = dict(
            Provision.objects.filter(version=consultation.version_id).values_list("pk", "eid")
        )
        keys = sorted(set(votes) | set(items), key=lambda key: (key is not None, key or 0))
        consultation.tallies = [
            {
                "provision": eids.get(key),
                **votes.get(key, dict.fromkeys(VoteChoice.values, 0)),
                **items.get(key, {"comments": 0, "proposals": 0}),
            }
            for key in keys
        ]
        return Response(ConsultationDetailOutput(consultation).data)


class VoteApi(APIView):
    """My vote on a provision (``provision`` = its eId) or, without it, on the bill."""

    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="VoteInput")
    class InputSerializer(serializers.Serializer):
        provision = StrictCharField(required=False, allow_blank=True, max_length=200)
        choice = serializers.ChoiceField(choices=VoteChoice.choices)
        reason = StrictCharField(required=False, allow_blank=True, max_length=1000)

    @extend_schema_serializer(component_name="Vote")
    class OutputSerializer(serializers.Serializer):
        choice = serializers.CharField()
        reason = serializers.CharField()

    @extend_schema(
        request=InputSerializer,
        responses={200: OutputSerializer, 400: None, 403: None, 404: None, 429: None},
    )
    def put(self, request: Request, pk: int) -> Response:
        _limit(request, "vote")
        consultation = _consultation(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        vote = services.vote_cast(
            voter=request.user,
            consultation=consultation,
            provision=_provision(consultation, data.validated_data.get("provision")),
            choice=data.validated_data["choice"],
            reason=data.validated_data.get("reason", ""),
        )
        return Response(self.OutputSerializer(vote).data)

    @extend_schema(responses={204: None, 403: None, 404: None})
    def delete(self, request: Request, pk: int) -> Response:
        _limit(request, "vote")
        consultation = _consultation(pk)
        services.vote_withdraw(
            voter=request.user,
            consultation=consultation,
            provision=_provision(consultation, request.query_params.get("provision")),
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


class ItemOutput(serializers.Serializer):
    id = serializers.IntegerField()
    provision = serializers.CharField(source="provision.eid", allow_null=True, default=None)
    author = serializers.CharField(source="author.display_name")
    text = serializers.CharField()
    status = serializers.CharField()
    created_at = serializers.DateTimeField()


class CommentListApi(APIView):
    """Published comments (GET, public) and a new comment (POST)."""

    @extend_schema_serializer(component_name="CommentInput")
    class InputSerializer(serializers.Serializer):
        provision = StrictCharField(required=False, allow_blank=True, max_length=200)
        text = StrictCharField(max_length=5000)
        quote = StrictCharField(required=False, allow_blank=True, max_length=2000)
        parent = serializers.IntegerField(required=False, min_value=1)

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(responses={200: ItemOutput(many=True), 404: None})
    def get(self, request: Request, pk: int) -> Response:
        consultation = _consultation(pk)
        comments = (
            Comment.objects.filter(consultation=consultation, status=ItemStatus.PUBLISHED)
            .select_related("author", "provision")
            .order_by("created_at", "pk")
        )
        paginator = PageNumberPagination()
        page = paginator.paginate_queryset(comments, request, view=self)
        return paginator.get_paginated_response(ItemOutput(page, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={201: ItemOutput, 400: None, 403: None, 404: None, 429: None},
    )
    def post(self, request: Request, pk: int) -> Response:
        _limit(request, "comment")
        consultation = _consultation(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        parent = None
        if data.validated_data.get("parent"):
            parent = get_object_or_404(
                Comment, pk=data.validated_data["parent"], consultation=consultation
            )
        comment = services.comment_submit(
            author=request.user,
            consultation=consultation,
            provision=_provision(consultation, data.validated_data.get("provision")),
            parent=parent,
            text=data.validated_data["text"],
            quote=data.validated_data.get("quote", ""),
        )
        return Response(ItemOutput(comment).data, status=status.HTTP_201_CREATED)


class ProposalCreateApi(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="ProposalInput")
    class InputSerializer(serializers.Serializer):
        provision = StrictCharField(max_length=200)
        text = StrictCharField(max_length=20000)
        reason = StrictCharField(required=False, allow_blank=True, max_length=2000)

    @extend_schema(
        request=InputSerializer,
        responses={201: ItemOutput, 400: None, 403: None, 404: None, 429: None},
    )
    def post(self, request: Request, pk: int) -> Response:
        _limit(request, "comment")
        consultation = _consultation(pk)
        data = self.InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        proposal = services.proposal_submit(
            author=request.user,
            consultation=consultation,
            provision=_provision(consultation, data.validated_data["provision"]),
            text=data.validated_data["text"],
            reason=data.validated_data.get("reason", ""),
        )
        return Response(ItemOutput(proposal).data, status=status.HTTP_201_CREATED)


class SupportApi(APIView):
    """Support a published comment or proposal (PUT), or take it back (DELETE)."""

    permission_classes = [IsAuthenticated]
    models = {"comments": Comment, "proposals": Proposal}

    def _item(self, kind: str, item_pk: int):
        model = self.models[kind]  # fixed by the URL: comments or proposals
        return get_object_or_404(model.objects.select_related("consultation"), pk=item_pk)

    @extend_schema(request=None, responses={204: None, 400: None, 403: None, 404: None})
    def put(self, request: Request, kind: str, item_pk: int) -> Response:
        _limit(request, "vote")
        services.support_add(supporter=request.user, item=self._item(kind, item_pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={204: None, 403: None, 404: None})
    def delete(self, request: Request, kind: str, item_pk: int) -> Response:
        _limit(request, "vote")
        services.support_remove(supporter=request.user, item=self._item(kind, item_pk))
        return Response(status=status.HTTP_204_NO_CONTENT)
