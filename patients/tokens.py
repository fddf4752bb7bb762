"""Refresh tokens with a family: every refresh token issued at one sign-in, and every token
rotated from it, carry the same `fam` claim (simplejwt copies a token's claims on rotation).
A rotated-out token presented again revokes its family (`services.refresh_token_reuse_end_family`)
and no other sign-in of the account."""

import uuid
from typing import Any, cast

from rest_framework_simplejwt.serializers import TokenObtainPairSerializer
from rest_framework_simplejwt.tokens import RefreshToken

FAMILY_CLAIM = "fam"


class FamilyRefreshToken(RefreshToken):
    @classmethod
    def for_user(cls, user: Any) -> "FamilyRefreshToken":
        token = cast(FamilyRefreshToken, super().for_user(user))
        token[FAMILY_CLAIM] = uuid.uuid4().hex
        return token


class FamilyTokenObtainPairSerializer(TokenObtainPairSerializer):
    token_class = FamilyRefreshToken
