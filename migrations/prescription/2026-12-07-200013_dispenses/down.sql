DROP TABLE prescription_dispenses;
