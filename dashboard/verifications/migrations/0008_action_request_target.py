from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("verifications", "0007_bulk_cancel"),
    ]

    operations = [
        migrations.RenameField(
            model_name="actionrequest", old_name="session_id", new_name="target"
        ),
        migrations.AlterField(
            model_name="actionrequest", name="target", field=models.CharField(max_length=200)
        ),
        migrations.AlterField(
            model_name="actionrequest", name="action", field=models.CharField(max_length=40)
        ),
    ]
