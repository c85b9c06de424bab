"""A JSON field that keeps what the user wrote in the order it was written."""

import json

from django import forms
from django.db import models


class OrderedJSONField(models.TextField):
    """JSON stored as text: an object's keys keep their order on every database.

    Django's JSONField is jsonb on PostgreSQL, which sorts an object's keys; where the order is part of
    what the user wrote (the extra attributes of every event, a decision's input and output templates),
    it must come back as written, as it does on SQLite. Nothing queries inside these values.
    """

    description = "JSON, keys in the order written"

    def from_db_value(self, value, expression, connection):
        return None if value is None else json.loads(value)

    def to_python(self, value):
        return value  # already a JSON value: only the database holds the text

    def get_prep_value(self, value):
        return None if value is None else json.dumps(value, ensure_ascii=False)

    def value_to_string(self, obj):
        return self.value_from_object(obj)  # serialisers write the value itself, as JSONField does

    def formfield(self, **kwargs):
        return models.Field.formfield(self, **{"form_class": forms.JSONField, **kwargs})
