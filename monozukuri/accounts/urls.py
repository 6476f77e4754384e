from django.urls import path

from monozukuri.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/tokens/<int:pk>/revoke/", views.api_token_revoke_view, name="api-token-revoke"),
]
