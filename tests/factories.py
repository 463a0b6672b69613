"""The factories the tests build data with: those of cultivation/factories.py and
opportunities/factories.py (run-time modules `seed_demo` uses too), under one name.

`UserFactory` is the board's: a member of the Staff group.
"""

from cultivation.factories import (
    PASSWORD,
    ContactFactory,
    FollowUpFactory,
    ManagerFactory,
    OrganisationFactory,
    PlanItemFactory,
    PromiseFactory,
    TouchFactory,
    TouchPlanFactory,
)
from opportunities.factories import OpportunityContactFactory, OpportunityFactory, UserFactory

__all__ = [
    "PASSWORD",
    "ContactFactory",
    "FollowUpFactory",
    "ManagerFactory",
    "OpportunityContactFactory",
    "OpportunityFactory",
    "OrganisationFactory",
    "PlanItemFactory",
    "PromiseFactory",
    "TouchFactory",
    "TouchPlanFactory",
    "UserFactory",
]
