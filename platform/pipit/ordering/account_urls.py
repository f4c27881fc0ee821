app_name = "ordering"

urlpatterns = []
