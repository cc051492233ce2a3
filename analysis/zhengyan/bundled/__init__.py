"""The suite that ships with the package: its numbered notebooks, the seed speeches and the bundled reports
(copied here when the package is built; in a checkout they are read from the project folders)."""
