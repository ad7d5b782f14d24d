from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_serializer
from rest_framework import serializers
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import services
from accounts.models import AgeRange, Region, RespondentType
from accounts.validators import validate_display_name
from config.api import StrictCharField


class RegionOutput(serializers.ModelSerializer):
    class Meta:
        model = Region
        fields = ["code", "name", "name_es", "name_en", "official_code", "is_abroad"]


class RegionListApi(APIView):
    """The regions a participant may choose, in display order."""

    permission_classes = [AllowAny]

    @extend_schema(responses={200: RegionOutput(many=True)})
    def get(self, request: Request) -> Response:
        return Response(RegionOutput(Region.objects.all(), many=True).data)


class MeApi(APIView):
    """The signed-in person's own profile."""

    permission_classes = [IsAuthenticated]

    @extend_schema_serializer(component_name="ProfileInput")
    class InputSerializer(serializers.Serializer):
        display_name = StrictCharField(max_length=60, validators=[validate_display_name])
        region = serializers.SlugRelatedField(slug_field="code", queryset=Region.objects.all())
        respondent_type = serializers.ChoiceField(choices=RespondentType.choices)
        age_range = serializers.ChoiceField(
            choices=AgeRange.choices, allow_blank=True, required=False, default=""
        )

    @extend_schema_serializer(component_name="Profile")
    class OutputSerializer(serializers.Serializer):
        email = serializers.EmailField()
        display_name = serializers.CharField()
        region = serializers.CharField(source="region.code", allow_null=True, read_only=True)
        respondent_type = serializers.CharField()
        age_range = serializers.CharField()

    @extend_schema(responses={200: OutputSerializer, 403: None})
    def get(self, request: Request) -> Response:
        return Response(self.OutputSerializer(request.user).data)

    @extend_schema(
        request=InputSerializer, responses={200: OutputSerializer, 400: None, 403: None, 415: None}
    )
    def patch(self, request: Request) -> Response:
        current = self.OutputSerializer(request.user).data
        if not isinstance(request.data, dict):
            raise serializers.ValidationError({"non_field_errors": [_("Expected a JSON object.")]})
        data = {key: current[key] for key in self.InputSerializer().fields} | request.data
        serializer = self.InputSerializer(data=data)
        serializer.is_valid(raise_exception=True)
        user = services.user_update_profile(user=request.user, **serializer.validated_data)
        return Response(self.OutputSerializer(user).data)
