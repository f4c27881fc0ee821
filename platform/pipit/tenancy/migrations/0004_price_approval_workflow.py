"""Price rules and price lists go through a storefront approval workflow by default.

Sales ops may still publish directly where their role allows it; "Submit for approval" sends a
draft to the admins of the rule's own storefront.
"""

from django.db import migrations

WORKFLOW = "Price approval"
TASK = "Approval by the storefront's admins"
MODELS = [("pricing", "pricerule"), ("pricing", "pricelist")]


def create(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Workflow = apps.get_model("wagtailcore", "Workflow")
    WorkflowTask = apps.get_model("wagtailcore", "WorkflowTask")
    WorkflowContentType = apps.get_model("wagtailcore", "WorkflowContentType")
    StorefrontApprovalTask = apps.get_model("tenancy", "StorefrontApprovalTask")

    task_type, _ = ContentType.objects.get_or_create(
        app_label="tenancy", model="storefrontapprovaltask"
    )
    task = StorefrontApprovalTask.objects.filter(name=TASK).first()
    if task is None:
        task = StorefrontApprovalTask.objects.create(
            name=TASK, roles="admin", active=True, content_type=task_type
        )
    workflow, _ = Workflow.objects.get_or_create(name=WORKFLOW, defaults={"active": True})
    WorkflowTask.objects.get_or_create(workflow=workflow, task=task, defaults={"sort_order": 0})
    for app_label, model in MODELS:
        content_type, _ = ContentType.objects.get_or_create(app_label=app_label, model=model)
        WorkflowContentType.objects.get_or_create(
            content_type=content_type, defaults={"workflow": workflow}
        )


def remove(apps, schema_editor):
    Workflow = apps.get_model("wagtailcore", "Workflow")
    Workflow.objects.filter(name=WORKFLOW).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("tenancy", "0003_storefront_approval_task"),
        ("pricing", "0001_initial"),
        ("wagtailcore", "0098_apitoken"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create, remove)]
