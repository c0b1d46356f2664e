<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>BasePage</name>
    <message>
        <source>Try again</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>BridgeWizard</name>
    <message>
        <source>Xero to QuickBooks Time</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>Choose the country of your Xero organisation.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Available here: customers, items and tracking categories, plus employees and leave types, because Xero Payroll exists in this country.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Available here: customers, items and tracking categories. Xero has no payroll in this country, so employees and leave are not imported (add team members in QuickBooks Time yourself).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Welcome</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This assistant brings your Xero customers, items and employees into QuickBooks Time. First, where is your Xero organisation?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Nothing is changed until you have seen a preview and clicked &quot;Start import&quot;. You can come back, change your choices, and undo an import later.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Country:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type to search, e.g. Australia</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Search countries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Countries</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
