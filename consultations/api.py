"""API for consultations: read them with their tallies; vote, comment, propose,
support, flag and follow. Every write goes through consultations.services;
who may do what is decided there, so the API and the pages answer alike."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_serializer, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import Throttled
from rest_framework.pagination import PageNumberPagination
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bills.models import Provision
from bills.selectors import bill_for_page
from config.api import SharedFields, StrictCharField, error_responses, validation_error_output
from consultations import selectors, services
from consultations.limits import retry_after, within_limits
from consultations.models import (
    Comment,
    Consultation,
    ConsultationStatus,
    DigestFrequency,
    FlagReason,
    ItemStatus,
    Proposal,
    VoteChoice,
)

# Whole-bill comments are filtered with ``?provision=bill`` (no eId is "bill").
WHOLE_BILL = "bill"


def _limit(request: Request, action: str) -> None:
    """Per person and per address, atomic; 429 with a clear message past it."""
    if not within_limits(request, action):
        raise Throttled(
            wait=retry_after(action), detail=_("Too many requests. Wait a moment and try again.")
        )


def _consultation(pk: int) -> Consultation:
    """A consultation the public may see (drafts are the committee's own)."""
    return get_object_or_404(
        Consultation.objects.exclude(status=ConsultationStatus.DRAFT).select_related(
            "version__bill", "committee", "chamber"
        ),
        pk=pk,
    )


def _provision(consultation: Consultation, eid: str | None) -> Provision | None:
    if not eid:
        return None
    return get_object_or_404(Provision, version=consultation.version_id, eid=eid)


def _input(serializer_class: type[serializers.Serializer], data) -> dict:
    serializer = serializer_class(data=data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def _paginated(request: Request, view: APIView, queryset, output) -> Response:
    paginator = PageNumberPagination()
    page = paginator.paginate_queryset(queryset, request, view=view)
    return paginator.get_paginated_response(output(page, many=True).data)


# What each kind of operation can answer, besides its success.
READ = (401, 404)
WRITE = (400, 401, 403, 404, 415, 429)
BODILESS_WRITE = (400, 401, 403, 404, 429)


# --- Consultations -------------------------------------------------------------


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

    @extend_schema(responses={200: ConsultationOutput(many=True), **error_responses(*READ)})
    def get(self, request: Request) -> Response:
        consultations = (
            Consultation.objects.exclude(status=ConsultationStatus.DRAFT)
            .select_related("version__bill", "committee")
            .order_by("-opens_at", "-pk")
        )
        return _paginated(request, self, consultations, ConsultationOutput)


class ConsultationDetailApi(APIView):
    """A consultation with agree/disagree/abstain and published-item counts per provision."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: ConsultationDetailOutput, **error_responses(*READ)})
    def get(self, request: Request, pk: int) -> Response:
        consultation = _consultation(pk)
        votes = selectors.tally_counts(consultation)
        items = selectors.published_counts(consultation)
        eids = dict(
            Provision.objects.filter(version=consultation.version_id).values_list("pk", "eid")
        )
        keys = sorted(set(votes) | set(items), key=lambda key: (key is not None, key or 0))
        tallies = [
            {
                "provision": eids.get(key),
                **votes.get(key, dict.fromkeys(VoteChoice.values, 0)),
                **items.get(key, {"comments": 0, "proposals": 0}),
            }
            for key in keys
        ]
        return Response({**ConsultationOutput(consultation).data, "tallies": tallies})


class ConsultationAggregatesApi(APIView):
    """The consultation's figures as open data: the same aggregates as the
    committee's report (groups of fewer than five people suppressed), with
    the licence; at most five minutes old."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: OpenApiTypes.OBJECT, **error_responses(*READ)})
    def get(self, request: Request, pk: int) -> Response:
        from consultations.reports.open_data import aggregates

        return Response(aggregates(_consultation(pk)))


# --- Votes -------------------------------------------------------------------------


@extend_schema_serializer(component_name="Vote")
class VoteOutput(SharedFields, serializers.Serializer):
    provision = serializers.CharField(source="provision.eid", allow_null=True, default=None)
    choice = serializers.CharField()
    reason = serializers.CharField()
    updated_at = serializers.DateTimeField()


class VoteApi(APIView):
    """My votes in a consultation: list them (GET), cast or change one (PUT) on a
    provision (``provision`` = its eId) or, without it, on the bill; withdraw
    one (DELETE, ``?provision=<eId>``, none for the bill)."""

    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="VoteInput")
    class InputSerializer(SharedFields, serializers.Serializer):
        provision = StrictCharField(required=False, allow_blank=True, max_length=200)
        choice = serializers.ChoiceField(choices=VoteChoice.choices)
        reason = StrictCharField(required=False, allow_blank=True, max_length=1000)

    @extend_schema(responses={200: VoteOutput(many=True), **error_responses(*READ)})
    def get(self, request: Request, pk: int) -> Response:
        votes = selectors.votes_of(voter=request.user, consultation=_consultation(pk))
        return Response(VoteOutput(votes, many=True).data)

    @extend_schema(
        request=InputSerializer,
        responses={
            200: VoteOutput,
            **error_responses(
                *WRITE, invalid=validation_error_output(InputSerializer, "VoteError")
            ),
        },
    )
    def put(self, request: Request, pk: int) -> Response:
        _limit(request, "vote")
        data = _input(self.InputSerializer, request.data)
        vote = services.vote_cast_on(
            voter=request.user,
            consultation_id=pk,
            eid=data.get("provision"),
            choice=data["choice"],
            reason=data.get("reason", ""),
        )
        return Response(VoteOutput(vote).data)

    @extend_schema(responses={204: None, **error_responses(*BODILESS_WRITE)})
    def delete(self, request: Request, pk: int) -> Response:
        _limit(request, "vote")
        consultation, provision = selectors.place_to_vote(pk, request.query_params.get("provision"))
        services.vote_withdraw(voter=request.user, consultation=consultation, provision=provision)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- Comments and proposals ------------------------------------------------------


class ItemOutput(serializers.Serializer):
    """What comments and proposals share. A withdrawn item keeps its place
    (and its replies their context) but not its text."""

    withdrawn_fields: tuple[str, ...] = ("text",)

    id = serializers.IntegerField()
    consultation = serializers.IntegerField(source="consultation_id")
    provision = serializers.CharField(source="provision.eid", allow_null=True, default=None)
    author = serializers.CharField(source="author.public_name")
    text = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=ItemStatus.choices)
    withdrawn = serializers.SerializerMethodField()
    supports = serializers.IntegerField(source="support_count", default=0)
    created_at = serializers.DateTimeField()
    updated_at = serializers.DateTimeField()

    def get_withdrawn(self, item) -> bool:
        return item.status == ItemStatus.WITHDRAWN

    def to_representation(self, instance):
        data = super().to_representation(instance)
        if instance.status == ItemStatus.WITHDRAWN:
            data.update(dict.fromkeys(self.withdrawn_fields))
        return data


@extend_schema_serializer(component_name="Comment")
class CommentOutput(ItemOutput):
    parent = serializers.IntegerField(source="parent_id", allow_null=True)
    quote = serializers.CharField()


@extend_schema_serializer(component_name="Proposal")
class ProposalOutput(ItemOutput):
    withdrawn_fields = ("text", "reason")

    reason = serializers.CharField(allow_null=True)


class ItemFilter(serializers.Serializer):
    provision = StrictCharField(
        required=False,
        max_length=200,
        help_text=_lazy('An eId, or "bill" for what concerns the bill as a whole.'),
    )
    sort = serializers.ChoiceField(
        choices=[("oldest", "oldest"), ("newest", "newest"), ("supported", "supported")],
        default="oldest",
    )


def _public_items(request: Request, model, consultation: Consultation):
    query = _input(ItemFilter, request.query_params)
    eid = query.get("provision")
    provision = None
    if eid and eid != WHOLE_BILL:
        provision = Provision.objects.filter(version=consultation.version_id, eid=eid).first()
        if provision is None:
            raise serializers.ValidationError(
                {"provision": [_("The consulted text has no provision with this eId.")]}
            )
    return selectors.public_items(
        model,
        consultation=consultation,
        provision=provision,
        whole_bill=eid == WHOLE_BILL,
        sort=query["sort"],
    )


class CommentListApi(APIView):
    """Public comments (GET: published, and withdrawn ones without their text)
    and a new comment or reply (POST)."""

    @extend_schema_serializer(component_name="CommentInput")
    class InputSerializer(serializers.Serializer):
        provision = StrictCharField(required=False, allow_blank=True, max_length=200)
        text = StrictCharField(max_length=5000)
        quote = StrictCharField(required=False, allow_blank=True, max_length=2000)
        parent = serializers.IntegerField(required=False, min_value=1)

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(
        parameters=[ItemFilter],
        responses={
            200: CommentOutput(many=True),
            **error_responses(
                400, *READ, invalid=validation_error_output(ItemFilter, "ItemFilterError")
            ),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        comments = _public_items(request, Comment, _consultation(pk))
        return _paginated(request, self, comments, CommentOutput)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: CommentOutput,
            **error_responses(
                *WRITE, invalid=validation_error_output(InputSerializer, "CommentError")
            ),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        _limit(request, "comment")
        consultation = _consultation(pk)
        data = _input(self.InputSerializer, request.data)
        parent = None
        if data.get("parent"):
            parent = get_object_or_404(
                Comment.objects.filter(status__in=selectors.PUBLIC_ITEM_STATUSES),
                pk=data["parent"],
                consultation=consultation,
            )
        comment = services.comment_submit(
            author=request.user,
            consultation=consultation,
            provision=_provision(consultation, data.get("provision")),
            parent=parent,
            text=data["text"],
            quote=data.get("quote", ""),
        )
        return Response(CommentOutput(comment).data, status=status.HTTP_201_CREATED)


class ProposalListApi(APIView):
    """Public proposals (GET) and a new alternative wording for a provision (POST)."""

    @extend_schema_serializer(component_name="ProposalInput")
    class InputSerializer(serializers.Serializer):
        provision = StrictCharField(max_length=200)
        text = StrictCharField(max_length=20000)
        reason = StrictCharField(required=False, allow_blank=True, max_length=2000)

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    @extend_schema(
        parameters=[ItemFilter],
        responses={
            200: ProposalOutput(many=True),
            **error_responses(
                400, *READ, invalid=validation_error_output(ItemFilter, "ItemFilterError")
            ),
        },
    )
    def get(self, request: Request, pk: int) -> Response:
        proposals = _public_items(request, Proposal, _consultation(pk))
        return _paginated(request, self, proposals, ProposalOutput)

    @extend_schema(
        request=InputSerializer,
        responses={
            201: ProposalOutput,
            **error_responses(
                *WRITE, invalid=validation_error_output(InputSerializer, "ProposalError")
            ),
        },
    )
    def post(self, request: Request, pk: int) -> Response:
        _limit(request, "comment")
        consultation = _consultation(pk)
        data = _input(self.InputSerializer, request.data)
        proposal = services.proposal_submit(
            author=request.user,
            consultation=consultation,
            provision=_provision(consultation, data["provision"]),
            text=data["text"],
            reason=data.get("reason", ""),
        )
        return Response(ProposalOutput(proposal).data, status=status.HTTP_201_CREATED)


class ItemEditInput(serializers.Serializer):
    text = StrictCharField(max_length=20000)


class _ItemDetailApi(APIView):
    """One comment or proposal: read it (GET), edit it while it is pending
    (PATCH, its author), withdraw it at any time (DELETE, its author)."""

    model: type[Comment] | type[Proposal]
    output: type[ItemOutput]

    def get_permissions(self):
        return [AllowAny()] if self.request.method == "GET" else [IsAuthenticated()]

    def _item(self, request: Request, item_pk: int):
        return selectors.item_for_viewer(self.model, pk=item_pk, viewer=request.user)

    def get(self, request: Request, item_pk: int) -> Response:
        return Response(self.output(self._item(request, item_pk)).data)

    def patch(self, request: Request, item_pk: int) -> Response:
        _limit(request, "comment")
        item = self._item(request, item_pk)
        data = _input(ItemEditInput, request.data)
        item = services.item_edit(author=request.user, item=item, text=data["text"])
        return Response(self.output(item).data)

    def delete(self, request: Request, item_pk: int) -> Response:
        _limit(request, "comment")
        services.item_withdraw(author=request.user, item=self._item(request, item_pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


def _item_detail_schema(output: type[ItemOutput]):
    invalid = validation_error_output(ItemEditInput, "ItemEditError")
    return extend_schema_view(
        get=extend_schema(responses={200: output, **error_responses(*READ)}),
        patch=extend_schema(
            request=ItemEditInput,
            responses={200: output, **error_responses(*WRITE, invalid=invalid)},
        ),
        delete=extend_schema(responses={204: None, **error_responses(401, 403, 404, 429)}),
    )


@_item_detail_schema(CommentOutput)
class CommentDetailApi(_ItemDetailApi):
    model = Comment
    output = CommentOutput


@_item_detail_schema(ProposalOutput)
class ProposalDetailApi(_ItemDetailApi):
    model = Proposal
    output = ProposalOutput


# --- Supports, flags, follows --------------------------------------------------------


class _OnItemApi(APIView):
    permission_classes = [IsAuthenticated]
    models = {"comments": Comment, "proposals": Proposal}

    def _item(self, request: Request, kind: str, item_pk: int):
        model = self.models[kind]  # fixed by the URL: comments or proposals
        return selectors.item_for_viewer(model, pk=item_pk, viewer=request.user)


class SupportApi(_OnItemApi):
    """Support a published comment or proposal (PUT), or take it back (DELETE)."""

    @extend_schema(request=None, responses={204: None, **error_responses(*BODILESS_WRITE)})
    def put(self, request: Request, kind: str, item_pk: int) -> Response:
        _limit(request, "vote")
        services.support_add(supporter=request.user, item=self._item(request, kind, item_pk))
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(responses={204: None, **error_responses(401, 403, 404, 429)})
    def delete(self, request: Request, kind: str, item_pk: int) -> Response:
        _limit(request, "vote")
        services.support_remove(supporter=request.user, item=self._item(request, kind, item_pk))
        return Response(status=status.HTTP_204_NO_CONTENT)


class FlagApi(_OnItemApi):
    """Report a comment or proposal to the moderators, once per person."""

    @extend_schema_serializer(component_name="FlagInput")
    class InputSerializer(serializers.Serializer):
        reason = serializers.ChoiceField(choices=FlagReason.choices)
        detail = StrictCharField(required=False, allow_blank=True, max_length=1000)

    @extend_schema(
        request=InputSerializer,
        responses={
            204: None,
            **error_responses(
                *WRITE, invalid=validation_error_output(InputSerializer, "FlagError")
            ),
        },
    )
    def put(self, request: Request, kind: str, item_pk: int) -> Response:
        _limit(request, "flag")
        item = self._item(request, kind, item_pk)
        data = _input(self.InputSerializer, request.data)
        services.flag_add(
            flagger=request.user, item=item, reason=data["reason"], detail=data.get("detail", "")
        )
        return Response(status=status.HTTP_204_NO_CONTENT)


@extend_schema_serializer(component_name="Follow")
class FollowOutput(serializers.Serializer):
    bill = serializers.CharField()
    frequency = serializers.ChoiceField(choices=DigestFrequency.choices)


class FollowApi(APIView):
    """My digest of a bill's news: read it (GET), follow daily or weekly (PUT;
    ``never`` stops), stop (DELETE)."""

    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="FollowInput")
    class InputSerializer(serializers.Serializer):
        frequency = serializers.ChoiceField(choices=DigestFrequency.choices)

    def _answer(self, request: Request, bill) -> Response:
        follow = bill.follows.filter(follower=request.user).first()
        frequency = follow.frequency if follow else DigestFrequency.NEVER
        return Response(FollowOutput({"bill": bill.slug, "frequency": frequency}).data)

    @extend_schema(responses={200: FollowOutput, **error_responses(*READ)})
    def get(self, request: Request, slug: str) -> Response:
        return self._answer(request, bill_for_page(slug))

    @extend_schema(
        request=InputSerializer,
        responses={
            200: FollowOutput,
            **error_responses(
                *WRITE, invalid=validation_error_output(InputSerializer, "FollowError")
            ),
        },
    )
    def put(self, request: Request, slug: str) -> Response:
        _limit(request, "follow")
        bill = bill_for_page(slug)
        data = _input(self.InputSerializer, request.data)
        services.follow_set(follower=request.user, bill=bill, frequency=data["frequency"])
        return self._answer(request, bill)

    @extend_schema(responses={204: None, **error_responses(401, 403, 404, 429)})
    def delete(self, request: Request, slug: str) -> Response:
        _limit(request, "follow")
        bill = bill_for_page(slug)
        services.follow_set(follower=request.user, bill=bill, frequency=DigestFrequency.NEVER)
        return Response(status=status.HTTP_204_NO_CONTENT)
