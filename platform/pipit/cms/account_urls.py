app_name = "promotions"

urlpatterns = []
