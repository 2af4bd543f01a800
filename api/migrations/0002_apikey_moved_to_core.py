"""``ApiKey`` now lives in ``core`` (core 0003 took it into its state over the same table):
forget it here, in the state only. Nothing else pointed at it in this app's state."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("api", "0001_initial"),
        ("core", "0003_apikey"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel("ApiKey")]),
    ]
