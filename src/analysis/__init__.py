"""Data-strategy report workbook for the French State in Hauts-de-France.

Modules: ``model`` (the survey model), ``edition`` (edition files), ``paths``, ``clean`` (French value
parsers), ``referential`` (reference lists and name resolution), ``template`` (the Excel
questionnaire), ``ingest`` (reading and cleaning the returns), ``tables`` (processed tables),
``sample`` (the fictional sample), then the report side: ``indicators``, ``partnerships``,
``figures``, ``recommendations``, ``maturity``, ``public``, ``build``, ``export``.
"""

__version__ = "0.1.0"
