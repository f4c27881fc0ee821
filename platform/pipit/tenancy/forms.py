from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms.auth import LoginForm


class AdminLoginForm(LoginForm):
    """Wagtail's login form, asking for the e-mail address staff actually log in with."""

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("E-mail")
        self.fields["username"].widget.attrs["placeholder"] = _("Enter your e-mail")
        self.fields["username"].widget.attrs["autocomplete"] = "email"
