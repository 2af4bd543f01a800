from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from .models import UserPreference
from .times import default_time_zone


@admin.register(UserPreference)
class UserPreferenceAdmin(admin.ModelAdmin):
    """Users' own choices; an operator may set a zone for someone who asks."""

    list_display = ("user", "zone_column")
    search_fields = ("user__username", "user__email", "time_zone")
    autocomplete_fields = ("user",)

    @admin.display(description="time zone", ordering="time_zone")
    def zone_column(self, obj: UserPreference) -> str:
        return obj.time_zone or f"{default_time_zone()} (site default)"


class UserPreferenceInline(admin.StackedInline):
    model = UserPreference
    can_delete = False
    verbose_name_plural = "preferences"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserWithPreferencesAdmin(UserAdmin):
    """Django's user admin, with the user's preferences (time zone) on their page."""

    inlines = (*UserAdmin.inlines, UserPreferenceInline)
