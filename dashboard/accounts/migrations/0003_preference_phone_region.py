from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_preference"),
    ]

    operations = [
        migrations.AddField(
            model_name="preference",
            name="phone_region",
            field=models.CharField(blank=True, max_length=2),
        ),
    ]
