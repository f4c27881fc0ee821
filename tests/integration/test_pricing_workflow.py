"""Price rules go through their storefront's approval: only that storefront's admins approve, and
nothing changes for buyers until the approved revision is published."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from wagtail.models import TaskState, Workflow, WorkflowContentType, WorkflowTask

from pipit.pricing.models import PriceRule
from pipit.pricing.strategy import StorefrontStrategy
from pipit.tenancy.models import StorefrontApprovalTask, StorefrontGroup
from pipit.testing import factories

pytestmark = pytest.mark.django_db
Role = StorefrontGroup.Role


@pytest.fixture
def workflow(db):
    """What migration tenancy 0004 sets up (tests run without migrations)."""
    task = StorefrontApprovalTask.objects.create(name="Storefront admins", roles="admin")
    flow = Workflow.objects.create(name="Price approval")
    WorkflowTask.objects.create(workflow=flow, task=task, sort_order=0)
    WorkflowContentType.objects.create(
        content_type=ContentType.objects.get_for_model(PriceRule), workflow=flow
    )
    return flow


def price(sf, user, product) -> Decimal:
    return StorefrontStrategy(storefront=sf, user=user).fetch_for_product(product).price.excl_tax


def test_a_rule_submitted_for_approval_is_approved_by_its_storefronts_admins_only(
    workflow, storefront, other_storefront, buyer, django_capture_on_commit_callbacks
):
    product = factories.product(storefront, "Drill", price="100.00")
    ops = factories.staff(storefront, Role.PRICING)
    admin = factories.staff(storefront, Role.ADMIN)
    stranger = factories.staff(other_storefront, Role.ADMIN)
    rule = PriceRule(storefront=storefront, name="Autumn 10%", action="percent_off", value=10)
    rule.save()
    rule.save_revision(user=ops)
    assert rule.get_workflow() == workflow

    with django_capture_on_commit_callbacks(execute=True):
        workflow.start(rule, ops)
    task = StorefrontApprovalTask.objects.get()
    assert list(task.get_task_states_user_can_moderate(admin)) == list(
        TaskState.objects.filter(status="in_progress")
    )
    assert not task.get_task_states_user_can_moderate(stranger).exists()
    assert not task.get_task_states_user_can_moderate(ops).exists()
    assert task.get_actions(rule, stranger) == []
    assert task.locked_for_user(rule, stranger)
    assert price(storefront, buyer, product) == Decimal("100.00")

    state = rule.current_workflow_task_state
    with django_capture_on_commit_callbacks(execute=True):
        state.task.specific.on_action(state, admin, "approve")
    rule.refresh_from_db()
    assert rule.live
    assert price(storefront, buyer, product) == Decimal("90.00")
