"""The record systems of other establishments that read the FHIR API (SMART Backend Services):
each registered with its public keys (a JWKS, or the URL it is published at) and the scopes
it may ask for."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from patients.models import Establishment


class FhirSystem(models.Model):
    establishment = models.ForeignKey(
        Establishment, on_delete=models.PROTECT, related_name="fhir_systems", verbose_name=_("establishment")
    )
    name = models.CharField(_("name"), max_length=120)
    client_id = models.CharField(_("client id"), max_length=120, unique=True)
    jwks = models.JSONField(_("public keys (JWKS)"), null=True, blank=True)
    jwks_uri = models.URLField(_("JWKS URL"), blank=True)
    # Space-separated SMART scopes the system may be granted, e.g. "system/*.rs".
    allowed_scopes = models.CharField(_("allowed scopes"), max_length=500, default="system/*.rs")
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("FHIR client system")
        verbose_name_plural = _("FHIR client systems")

    def __str__(self) -> str:
        return f"{self.name} ({self.client_id})"

    def clean(self) -> None:
        if not self.jwks and not self.jwks_uri:
            raise ValidationError(_("Give the system's public keys (JWKS) or the URL they are published at."))
        if self.jwks and not isinstance(self.jwks, dict) or self.jwks and not isinstance(self.jwks.get("keys"), list):
            raise ValidationError({"jwks": _('A JWKS is a JSON object with a "keys" list.')})
