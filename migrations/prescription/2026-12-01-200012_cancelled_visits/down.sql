DROP TABLE cancelled_visits;
