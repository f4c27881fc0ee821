app_name = "api-tokens"

urlpatterns = []
