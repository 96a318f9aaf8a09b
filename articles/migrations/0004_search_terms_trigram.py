# Search that understands people (issue 17): the terms field joins the stored vector (title A,
# terms B, summary C, body D), pg_trgm's indexes on titles and terms serve typo corrections, the
# synonym table starts with the words visitors use most, and every article's reading time is
# stored so lists need not read bodies.
#
# The starter synonyms are a data migration rather than demo content: a real centre needs them from
# its first day, and admins then edit them like any other row.

import html
import math
import re

import django.contrib.postgres.search
from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations, models


TAGS = re.compile(r"<[^>]+>")


def reading_minutes(body_html: str) -> int:
    """The reading time as this migration computes it (a copy: articles.rendering may change later)."""
    words = len(html.unescape(TAGS.sub(" ", body_html)).split())
    return max(1, math.ceil(words / 225))


def weighted(**weights: str) -> str:
    """The trigger's text-search expression: each column's words under its weight."""
    return " || ".join(
        f"setweight(to_tsvector('english', coalesce(NEW.{column}, '')), '{weight}')"
        for column, weight in weights.items()
    )


def trigger_function(body: str) -> str:
    return f"""
CREATE OR REPLACE FUNCTION articles_article_search_vector() RETURNS trigger AS $$
BEGIN
    {body}
    RETURN NEW;
END
$$ LANGUAGE plpgsql;
UPDATE articles_article SET search_vector = NULL;
"""


CREATE = (
    trigger_function(
        f"NEW.heading_vector := {weighted(title='A', terms='B', summary='C')};\n"
        f"    NEW.search_vector := NEW.heading_vector || {weighted(body='D')};"
    )
    + """
CREATE INDEX articles_article_title_trgm ON articles_article USING gin (title gin_trgm_ops) WITH (fastupdate = off);
CREATE INDEX articles_article_terms_trgm ON articles_article USING gin (terms gin_trgm_ops) WITH (fastupdate = off);
-- Articles are written a few times a day: each write goes straight into the indexes rather than a
-- pending list, which every search would scan until the next vacuum and which makes the planner
-- price the index above reading the whole table (measured: 30 new articles were enough).
ALTER INDEX articles_article_search_vector_gin SET (fastupdate = off);
SELECT gin_clean_pending_list('articles_article_search_vector_gin');
"""
)
# Back to migration 0002's function (the terms and heading columns go after this runs).
DROP = """
ALTER INDEX articles_article_search_vector_gin RESET (fastupdate);
DROP INDEX IF EXISTS articles_article_terms_trgm;
DROP INDEX IF EXISTS articles_article_title_trgm;
""" + trigger_function(f"NEW.search_vector := {weighted(title='A', summary='B', body='C')};")

# What people type -> what our articles call it. Brand names, street words, abbreviations and the
# misspellings seen most in searches for help.
STARTER_SYNONYMS = {
    "suboxone": "buprenorphine",
    "subutex": "buprenorphine",
    "sublocade": "buprenorphine",
    "zubsolv": "buprenorphine",
    "vivitrol": "naltrexone",
    "narcan": "naloxone",
    "naloxone": "narcan",
    "rehab": "treatment, residential",
    "detox": "withdrawal management, detoxification",
    "withdrawl": "withdrawal",
    "withdrawel": "withdrawal",
    "dope sick": "opioid withdrawal, withdrawal",
    "dopesick": "opioid withdrawal, withdrawal",
    "the shakes": "alcohol withdrawal",
    "dts": "delirium tremens",
    "booze": "alcohol",
    "alcoholism": "alcohol use disorder, alcohol",
    "opiate": "opioid",
    "opiates": "opioids",
    "smack": "heroin",
    "fent": "fentanyl",
    "benzos": "benzodiazepines",
    "xanax": "benzodiazepines",
    "mat": "medication assisted treatment, buprenorphine, methadone, naltrexone",
    "moud": "buprenorphine, methadone, naltrexone",
    "php": "partial hospitalization",
    "iop": "intensive outpatient",
    "vob": "verification of benefits",
    "price": "cost",
    "afford": "cost, insurance",
}


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql)

    return run


def store_reading_minutes(apps, schema_editor):
    Article = apps.get_model("articles", "Article")
    for article in Article.objects.only("pk", "body_html").iterator():
        Article.objects.filter(pk=article.pk).update(reading_minutes=reading_minutes(article.body_html))


def add_starter_synonyms(apps, schema_editor):
    SearchSynonym = apps.get_model("articles", "SearchSynonym")
    for phrase, means in STARTER_SYNONYMS.items():
        SearchSynonym.objects.get_or_create(phrase=phrase, defaults={"means": means})


def remove_starter_synonyms(apps, schema_editor):
    SearchSynonym = apps.get_model("articles", "SearchSynonym")
    SearchSynonym.objects.filter(phrase__in=STARTER_SYNONYMS).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0003_article_images'),
    ]

    operations = [
        TrigramExtension(),
        migrations.CreateModel(
            name='SearchSynonym',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('phrase', models.CharField(help_text='A word or phrase visitors type, including common misspellings: "Suboxone", "rehab", "withdrawl".', max_length=80, unique=True, verbose_name='when people search for')),
                ('means', models.CharField(help_text='What our articles call it, comma-separated: "buprenorphine", or "treatment, residential".', max_length=200, verbose_name='also search for')),
            ],
            options={
                'verbose_name': 'search synonym',
                'ordering': ['phrase'],
            },
        ),
        migrations.AddField(
            model_name='article',
            name='reading_minutes',
            field=models.PositiveSmallIntegerField(default=1, editable=False),
        ),
        migrations.AddField(
            model_name='article',
            name='terms',
            field=models.CharField(blank=True, help_text='Other words people search for this with, comma-separated (e.g. cost of rehab, paying for treatment). Never shown; searched after the title.', max_length=300, verbose_name='search terms'),
        ),
        migrations.AddField(
            model_name='article',
            name='heading_vector',
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP)),
        migrations.RunPython(store_reading_minutes, migrations.RunPython.noop),
        migrations.RunPython(add_starter_synonyms, remove_starter_synonyms),
    ]
