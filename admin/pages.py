"""Who may open the admin's pages that are not a model's list (inbox, approvals, imports, sources…).

``SecurePage`` is mixed in before Flask-Admin's ``BaseView`` / ``AdminIndexView``: a page asks only
``allows(user)``; being logged in is checked first (an anonymous visitor goes to the login page and
comes back), a refused user gets 403, and the menu shows the page only to whoever may open it, as
``SecureModelView`` does for the model screens.
"""

from flask_login import current_user

from admin.auth import SignInRequired


class SecurePage(SignInRequired):
    in_menu = True
    """False for pages reached from other pages (the navbar search, the audience counter), never the menu."""

    def allows(self, user) -> bool:
        """Whether the logged-in ``user`` may open the page; views narrow it (access, the inbox's roles…)."""
        return True

    def is_accessible(self) -> bool:
        return current_user.is_authenticated and self.allows(current_user)

    def is_visible(self) -> bool:
        return self.in_menu and super().is_visible()
