"""The four platforms of the seed article, with the content the article counts on each."""

from django.db import migrations

PLATFORMS = [
    # slug, English name, Chinese name, order, chart colour, content counted
    ("kepu-china", "China Science Communication", "科普中国", 1, "#1f5fbf", "articles"),
    ("wechat", "WeChat official account", "微信公众号", 2, "#07a05a", "articles"),
    ("douyin", "Douyin", "抖音", 3, "#161823", "videos"),
    ("bilibili", "Bilibili", "哔哩哔哩", 4, "#e8508a", "videos"),
]


def create_platforms(apps, schema_editor):
    Platform = apps.get_model("outreach", "Platform")
    for slug, name_en, name_zh, order, color, content in PLATFORMS:
        Platform.objects.update_or_create(
            slug=slug,
            defaults={
                "name_en": name_en,
                "name_zh": name_zh,
                "display_order": order,
                "color": color,
                "content": content,
            },
        )


def remove_platforms(apps, schema_editor):
    Platform = apps.get_model("outreach", "Platform")
    Platform.objects.filter(slug__in=[row[0] for row in PLATFORMS], accounts__isnull=True).delete()


class Migration(migrations.Migration):
    dependencies = [("outreach", "0001_initial")]

    operations = [migrations.RunPython(create_platforms, remove_platforms)]
