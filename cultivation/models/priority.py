"""How urgent a new relationship is: the one list of priorities, for cards and follow-ups.

The card on the board carries one; the follow-up after meeting someone takes it
from there and falls due by it (settings.CONVIVIO["FOLLOW_UP_HOURS"], one entry
per value). The layer above imports this, never a copy of it.
"""

from django.db import models


class Priority(models.TextChoices):
    HOT = "hot", "Hot lead"
    REFERRAL = "referral", "Referral partner"
    LOW = "low", "Low priority"
