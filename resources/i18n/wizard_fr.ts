<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="fr_FR">
<context>
    <name>BasePage</name>
    <message>
        <source>Try again</source>
        <translation>Réessayer</translation>
    </message>
</context>
<context>
    <name>BillingPreviewPage</name>
    <message>
        <source>The invoice&apos;s amount, tax included: its prices include tax, which Xero works out from each line&apos;s tax rate.</source>
        <translation>Le montant de la facture, taxes comprises&#xa0;: ses prix comprennent les taxes, que Xero calcule selon le taux de taxe de chaque ligne.</translation>
    </message>
    <message>
        <source>The invoice&apos;s amount: its lines bear no tax.</source>
        <translation>Le montant de la facture&#xa0;: ses lignes ne portent aucune taxe.</translation>
    </message>
    <message>
        <source>The invoice&apos;s amount before tax: Xero adds the tax of each line&apos;s tax rate.</source>
        <translation>Le montant de la facture avant taxes&#xa0;: Xero ajoute les taxes selon le taux de taxe de chaque ligne.</translation>
    </message>
    <message>
        <source>The invoice&apos;s amount in Xero once sent: {amount}, the lines kept as they are in Xero included (it is {now} now).</source>
        <translation>Le montant de la facture dans Xero une fois envoyée&#xa0;: {amount}, lignes conservées telles quelles dans Xero comprises (actuellement {now}).</translation>
    </message>
    <message>
        <source>Nothing is sent to Xero until you click Send to Xero. The invoices stay drafts there. Xero works out the tax from each line&apos;s tax rate: it adds it to amounts before tax; amounts with tax included already hold it.</source>
        <translation>Rien n’est envoyé à Xero avant que vous cliquiez sur Envoyer à Xero. Les factures y restent des brouillons. Xero calcule les taxes selon le taux de taxe de chaque ligne&#xa0;: il les ajoute aux montants avant taxes&#xa0;; les montants taxes comprises les contiennent déjà.</translation>
    </message>
    <message>
        <source>With them, the drafts will come to {amount} in Xero.</source>
        <translation>Avec elles, les brouillons s’élèveront à {amount} dans Xero.</translation>
    </message>
    <message>
        <source>Total: {amount}, of which this billing adds {added}</source>
        <translation>Total&#xa0;: {amount}, dont cette facturation ajoute {added}</translation>
    </message>
    <message>
        <source>our draft, {amount} added</source>
        <translation>notre brouillon, {amount} ajoutés</translation>
    </message>
    <message>
        <source>our draft, {amount} taken off</source>
        <translation>notre brouillon, {amount} retirés</translation>
    </message>
    <message>
        <source>Not approved yet in QuickBooks Time: {line}</source>
        <translation>Pas encore approuvé dans QuickBooks Time&#xa0;: {line}</translation>
    </message>
    <message>
        <source>removed</source>
        <translation>supprimée</translation>
    </message>
    <message>
        <source>This line was made by this app and has no hours left on it.</source>
        <translation>Cette application a créé cette ligne, et il n’y reste plus d’heures.</translation>
    </message>
    <message>
        <source>In Xero</source>
        <translation>Dans Xero</translation>
    </message>
    <message>
        <source>To look at ({count}). Each says why and what to do; hours left out can be billed later, once corrected.</source>
        <translation>À examiner ({count}). Chaque ligne dit pourquoi et quoi faire&#xa0;; les heures laissées de côté pourront être facturées plus tard, une fois corrigées.</translation>
    </message>
    <message>
        <source>No preview yet. Go back and choose the days to bill.</source>
        <translation>Pas encore d’aperçu. Revenez en arrière et choisissez les jours à facturer.</translation>
    </message>
    <message>
        <source>Nothing to bill in these days</source>
        <translation>Rien à facturer pour ces jours</translation>
    </message>
    <message>
        <source>Every billable hour of these days is already on an invoice, or is left out for a reason shown below. Click Close, or go back to choose other days.</source>
        <translation>Chaque heure facturable de ces jours figure déjà sur une facture, ou est laissée de côté pour une raison indiquée ci-dessous. Cliquez sur Fermer, ou revenez en arrière pour choisir d’autres jours.</translation>
    </message>
    <message>
        <source>No billable hours were tracked for customers linked to Xero in these days. Go back to choose other days, or click Close.</source>
        <translation>Aucune heure facturable n’a été saisie ces jours-là pour des clients liés à Xero. Revenez en arrière pour choisir d’autres jours, ou cliquez sur Fermer.</translation>
    </message>
    <message>
        <source>{invoices}: {lines}, {hours} hours, {amount}.</source>
        <translation>{invoices}&#xa0;: {lines}, {hours} heures, {amount}.</translation>
    </message>
    <message>
        <source>1 draft invoice</source>
        <translation>1 facture brouillon</translation>
    </message>
    <message>
        <source>{n} draft invoices</source>
        <translation>{n} factures brouillons</translation>
    </message>
    <message>
        <source>1 line</source>
        <translation>1 ligne</translation>
    </message>
    <message>
        <source>{n} lines</source>
        <translation>{n} lignes</translation>
    </message>
    <message>
        <source>1 line added or changed in Xero is kept as it is.</source>
        <translation>1 ligne ajoutée ou modifiée dans Xero est conservée telle quelle.</translation>
    </message>
    <message>
        <source>{n} lines added or changed in Xero are kept as they are.</source>
        <translation>{n} lignes ajoutées ou modifiées dans Xero sont conservées telles quelles.</translation>
    </message>
    <message>
        <source>Of these, {hours} hours are not approved yet (in italics).</source>
        <translation>Parmi elles, {hours} heures ne sont pas encore approuvées (en italique).</translation>
    </message>
    <message>
        <source>&amp;Invoices ({count}), each with its lines:</source>
        <translation>&amp;Factures ({count}), chacune avec ses lignes&#xa0;:</translation>
    </message>
    <message>
        <source>new draft</source>
        <translation>nouveau brouillon</translation>
    </message>
    <message>
        <source>our draft, hours added</source>
        <translation>notre brouillon, heures ajoutées</translation>
    </message>
    <message>
        <source>already billed, nothing to add</source>
        <translation>déjà facturé, rien à ajouter</translation>
    </message>
    <message>
        <source>not sent (see the hours left out)</source>
        <translation>non envoyée (voir les heures laissées de côté)</translation>
    </message>
    <message>
        <source>Wording the invoice lines again…</source>
        <translation>Rédaction des lignes dans la langue choisie…</translation>
    </message>
    <message>
        <source>Total: {amount}</source>
        <translation>Total&#xa0;: {amount}</translation>
    </message>
    <message>
        <source>new line</source>
        <translation>nouvelle ligne</translation>
    </message>
    <message>
        <source>updated (was {hours} hours)</source>
        <translation>mise à jour (avant&#xa0;: {hours} heures)</translation>
    </message>
    <message>
        <source>updated</source>
        <translation>mise à jour</translation>
    </message>
    <message>
        <source>unchanged</source>
        <translation>inchangée</translation>
    </message>
    <message>
        <source>kept as changed in Xero</source>
        <translation>conservée telle que modifiée dans Xero</translation>
    </message>
    <message>
        <source>kept, added in Xero</source>
        <translation>conservée, ajoutée dans Xero</translation>
    </message>
    <message>
        <source>This app made this line, then someone changed it in Xero: it is kept as they left it, never overwritten. New hours of the same kind go on a new line.</source>
        <translation>Cette application a créé cette ligne, puis quelqu’un l’a modifiée dans Xero&#xa0;: elle est conservée telle quelle, jamais remplacée. Les nouvelles heures du même genre vont sur une nouvelle ligne.</translation>
    </message>
    <message>
        <source>Someone added this line in Xero: it is sent back as it is.</source>
        <translation>Quelqu’un a ajouté cette ligne dans Xero&#xa0;: elle est renvoyée telle quelle.</translation>
    </message>
    <message>
        <source>Item price in Xero</source>
        <translation>Prix de l’article dans Xero</translation>
    </message>
    <message>
        <source>Job rate in QuickBooks Time</source>
        <translation>Taux du projet dans QuickBooks Time</translation>
    </message>
    <message>
        <source>Invoice &amp;wording:</source>
        <translation>&amp;Langue des factures&#xa0;:</translation>
    </message>
    <message>
        <source>Language of the invoice lines</source>
        <translation>Langue des lignes de facture</translation>
    </message>
    <message>
        <source>The language your customers read on the lines, dates included. Remembered for this business. Drafts already in Xero keep theirs unless they are sent again.</source>
        <translation>La langue que vos clients lisent sur les lignes, dates comprises. Retenue pour cette entreprise. Les brouillons déjà dans Xero gardent la leur, sauf s’ils sont envoyés de nouveau.</translation>
    </message>
    <message>
        <source>Preview the invoices</source>
        <translation>Aperçu des factures</translation>
    </message>
    <message>
        <source>Check each invoice, its lines and its amount before they are sent to Xero.</source>
        <translation>Vérifiez chaque facture, ses lignes et son montant avant leur envoi à Xero.</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Qui</translation>
    </message>
    <message>
        <source>Why, and what to do</source>
        <translation>Pourquoi, et quoi faire</translation>
    </message>
    <message>
        <source>To look at</source>
        <translation>À examiner</translation>
    </message>
    <message>
        <source>Customer, then each line</source>
        <translation>Client, puis chaque ligne</translation>
    </message>
    <message>
        <source>Hours</source>
        <translation>Heures</translation>
    </message>
    <message>
        <source>Unit price</source>
        <translation>Prix unitaire</translation>
    </message>
    <message>
        <source>Price from</source>
        <translation>Origine du prix</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Montant</translation>
    </message>
    <message>
        <source>Invoices and their lines</source>
        <translation>Factures et leurs lignes</translation>
    </message>
    <message>
        <source>&amp;Send to Xero</source>
        <translation>&amp;Envoyer à Xero</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>&amp;Fermer</translation>
    </message>
</context>
<context>
    <name>BillingRangePage</name>
    <message>
        <source>The first day is after the last day. Choose a first day on or before the last day.</source>
        <translation>Le premier jour est après le dernier. Choisissez un premier jour identique ou antérieur au dernier.</translation>
    </message>
    <message>
        <source>These days have not come yet, so they hold no hours. Choose days up to today.</source>
        <translation>Ces jours ne sont pas encore arrivés, ils ne contiennent donc aucune heure. Choisissez des jours jusqu’à aujourd’hui.</translation>
    </message>
    <message>
        <source>{days} days, from {start} to {end}.</source>
        <translation>{days} jours, du {start} au {end}.</translation>
    </message>
    <message>
        <source>Hours already billed are never billed twice: the preview leaves them out.</source>
        <translation>Les heures déjà facturées ne le sont jamais deux fois&#xa0;: l’aperçu les laisse de côté.</translation>
    </message>
    <message>
        <source>Bill time in Xero</source>
        <translation>Facturer le temps dans Xero</translation>
    </message>
    <message>
        <source>Turn the billable hours tracked in QuickBooks Time into draft invoices in Xero: one per customer.</source>
        <translation>Transformez les heures facturables saisies dans QuickBooks Time en factures brouillons dans Xero&#xa0;: une par client.</translation>
    </message>
    <message>
        <source>Choose the days whose hours you want to bill. You will see every invoice, with its lines and amounts, before anything is sent to Xero. The invoices stay drafts in Xero until you approve them there.</source>
        <translation>Choisissez les jours dont vous voulez facturer les heures. Vous verrez chaque facture, avec ses lignes et ses montants, avant tout envoi à Xero. Les factures restent des brouillons dans Xero jusqu’à ce que vous les y approuviez.</translation>
    </message>
    <message>
        <source>Days to bill</source>
        <translation>Jours à facturer</translation>
    </message>
    <message>
        <source>&amp;From:</source>
        <translation>&amp;Du&#xa0;:</translation>
    </message>
    <message>
        <source>&amp;To (included):</source>
        <translation>A&amp;u (inclus)&#xa0;:</translation>
    </message>
    <message>
        <source>First day to bill</source>
        <translation>Premier jour à facturer</translation>
    </message>
    <message>
        <source>Last day to bill</source>
        <translation>Dernier jour à facturer</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>Options</translation>
    </message>
    <message>
        <source>Include hours &amp;not approved yet</source>
        <translation>&amp;Inclure les heures pas encore approuvées</translation>
    </message>
    <message>
        <source>Usually only approved hours are billed. If you include the others, the preview marks them as not approved.</source>
        <translation>D’habitude, seules les heures approuvées sont facturées. Si vous incluez les autres, l’aperçu les signale comme non approuvées.</translation>
    </message>
    <message>
        <source>Na&amp;me the people on the invoice lines</source>
        <translation>&amp;Nommer les personnes sur les lignes de facture</translation>
    </message>
    <message>
        <source>Each line&apos;s description then says who worked, besides the dates. Your customer sees these names.</source>
        <translation>La description de chaque ligne indique alors qui a travaillé, en plus des dates. Votre client voit ces noms.</translation>
    </message>
    <message>
        <source>&amp;Preview invoices</source>
        <translation>&amp;Aperçu des factures</translation>
    </message>
    <message>
        <source>Reading the hours in QuickBooks Time and the prices in Xero…</source>
        <translation>Lecture des heures dans QuickBooks Time et des prix dans Xero…</translation>
    </message>
    <message>
        <source>&amp;Connect to Xero</source>
        <translation>&amp;Se connecter à Xero</translation>
    </message>
</context>
<context>
    <name>BillingSendPage</name>
    <message>
        <source>Stop sending?</source>
        <translation>Arrêter l’envoi&#xa0;?</translation>
    </message>
    <message>
        <source>Stop sending the invoices to Xero?</source>
        <translation>Arrêter l’envoi des factures à Xero&#xa0;?</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>&amp;Arrêter</translation>
    </message>
    <message>
        <source>&amp;Keep sending</source>
        <translation>&amp;Continuer l’envoi</translation>
    </message>
    <message>
        <source>The invoice being sent is finished first. The result then shows what was sent; billing the same days again later sends only the rest, never twice.</source>
        <translation>La facture en cours d’envoi est d’abord terminée. Le résultat montre ensuite ce qui a été envoyé&#xa0;; facturer plus tard les mêmes jours n’envoie que le reste, jamais deux fois.</translation>
    </message>
    <message>
        <source>There is nothing to send. Go back to the start and preview the invoices.</source>
        <translation>Il n’y a rien à envoyer. Revenez au début et affichez l’aperçu des factures.</translation>
    </message>
    <message>
        <source>Sending the invoices to Xero…</source>
        <translation>Envoi des factures à Xero…</translation>
    </message>
    <message>
        <source>Reading the invoices&apos; status in Xero…</source>
        <translation>Lecture de l’état des factures dans Xero…</translation>
    </message>
    <message>
        <source>The invoices were sent, but Xero could not be reached to read them back. Their status shows on the start page once Xero answers.</source>
        <translation>Les factures ont été envoyées, mais Xero n’a pas pu être joint pour les relire. Leur état s’affiche sur la page d’accueil dès que Xero répond.</translation>
    </message>
    <message>
        <source>Open in Xero</source>
        <translation>Ouvrir dans Xero</translation>
    </message>
    <message>
        <source>The invoice could not be opened here. Its address is: {url}</source>
        <translation>La facture n’a pas pu être ouverte ici. Son adresse est&#xa0;: {url}</translation>
    </message>
    <message>
        <source>Undo this billing?</source>
        <translation>Défaire cette facturation&#xa0;?</translation>
    </message>
    <message>
        <source>Delete the draft invoices this billing made in Xero?</source>
        <translation>Supprimer dans Xero les factures brouillons créées par cette facturation&#xa0;?</translation>
    </message>
    <message>
        <source>&amp;Delete the drafts</source>
        <translation>&amp;Supprimer les brouillons</translation>
    </message>
    <message>
        <source>&amp;Keep them</source>
        <translation>&amp;Les garder</translation>
    </message>
    <message>
        <source>Drafts are deleted in Xero. An invoice approved or paid since is left as it is, and listed. The hours can be billed again later.</source>
        <translation>Les brouillons sont supprimés dans Xero. Une facture approuvée ou payée depuis reste telle quelle, et est indiquée. Les heures pourront être facturées de nouveau plus tard.</translation>
    </message>
    <message>
        <source>Deleting the drafts in Xero…</source>
        <translation>Suppression des brouillons dans Xero…</translation>
    </message>
    <message>
        <source>Stopping after the invoice being sent…</source>
        <translation>Arrêt après la facture en cours d’envoi…</translation>
    </message>
    <message>
        <source>Sending the draft invoices to Xero. This takes a few seconds.</source>
        <translation>Envoi des factures brouillons à Xero. Cela prend quelques secondes.</translation>
    </message>
    <message>
        <source>Nothing was sent.</source>
        <translation>Rien n’a été envoyé.</translation>
    </message>
    <message>
        <source>Starting…</source>
        <translation>Démarrage…</translation>
    </message>
    <message>
        <source>Undone: the drafts this billing made are deleted in Xero. The hours can be billed again.</source>
        <translation>Défait&#xa0;: les brouillons créés par cette facturation sont supprimés dans Xero. Les heures peuvent être facturées de nouveau.</translation>
    </message>
    <message>
        <source>Nothing was sent: every invoice was already up to date in Xero.</source>
        <translation>Rien n’a été envoyé&#xa0;: chaque facture était déjà à jour dans Xero.</translation>
    </message>
    <message>
        <source>Sent to Xero: {invoices} ({created} new, {updated} updated), {lines}, {hours} hours, {amount}.</source>
        <translation>Envoyé à Xero&#xa0;: {invoices} ({created} nouvelles, {updated} mises à jour), {lines}, {hours} heures, {amount}.</translation>
    </message>
    <message>
        <source>1 draft invoice</source>
        <translation>1 facture brouillon</translation>
    </message>
    <message>
        <source>{n} draft invoices</source>
        <translation>{n} factures brouillons</translation>
    </message>
    <message>
        <source>1 line</source>
        <translation>1 ligne</translation>
    </message>
    <message>
        <source>{n} lines</source>
        <translation>{n} lignes</translation>
    </message>
    <message>
        <source>Stopped before the end.</source>
        <translation>Arrêté avant la fin.</translation>
    </message>
    <message>
        <source>Approve them in Xero when they are right.</source>
        <translation>Approuvez-les dans Xero quand elles sont justes.</translation>
    </message>
    <message>
        <source>Send to Xero</source>
        <translation>Envoi à Xero</translation>
    </message>
    <message>
        <source>The draft invoices are sent to Xero, then listed here.</source>
        <translation>Les factures brouillons sont envoyées à Xero, puis listées ici.</translation>
    </message>
    <message>
        <source>&amp;Invoices in Xero:</source>
        <translation>Fa&amp;ctures dans Xero&#xa0;:</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>Numéro</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Montant</translation>
    </message>
    <message>
        <source>Status in Xero</source>
        <translation>État dans Xero</translation>
    </message>
    <message>
        <source>Invoices sent to Xero</source>
        <translation>Factures envoyées à Xero</translation>
    </message>
    <message>
        <source>Hours not billed ({count}): each says why and what to do.</source>
        <translation>Heures non facturées ({count})&#xa0;: chacune dit pourquoi et quoi faire.</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Qui</translation>
    </message>
    <message>
        <source>Why, and what to do</source>
        <translation>Pourquoi, et quoi faire</translation>
    </message>
    <message>
        <source>&amp;Stop…</source>
        <translation>&amp;Arrêter…</translation>
    </message>
    <message>
        <source>&amp;Undo: delete these drafts…</source>
        <translation>&amp;Défaire&#xa0;: supprimer ces brouillons…</translation>
    </message>
    <message>
        <source>Delete in Xero the draft invoices this billing made</source>
        <translation>Supprimer dans Xero les factures brouillons créées par cette facturation</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>&amp;Fermer</translation>
    </message>
    <message>
        <source>Hours not billed</source>
        <translation>Heures non facturées</translation>
    </message>
    <message>
        <source>Nothing was sent: see below why, and what to do.</source>
        <translation>Rien n’a été envoyé&#xa0;: voyez ci-dessous pourquoi, et quoi faire.</translation>
    </message>
</context>
<context>
    <name>BridgeWizard</name>
    <message>
        <source>Closing once the work in progress has stopped…</source>
        <translation>Fermeture dès que le travail en cours sera arrêté…</translation>
    </message>
    <message>
        <source>Xero to QuickBooks Time</source>
        <extracomment>the window&apos;s icon is set once its first page is painted, at the latest after this narrower than this, the list of steps keeps only its marks and numbers</extracomment>
        <translation>Xero vers QuickBooks Time</translation>
    </message>
</context>
<context>
    <name>ChangeTableModel</name>
    <message>
        <source>What</source>
        <translation>Quoi</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>Avant</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Après</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Pourquoi</translation>
    </message>
    <message>
        <source>Not linked</source>
        <translation>Non lié</translation>
    </message>
    <message>
        <source>Not imported</source>
        <translation>Non importé</translation>
    </message>
    <message>
        <source>Linked to the existing record</source>
        <translation>Lié à l’élément existant</translation>
    </message>
    <message>
        <source>Archived in QuickBooks Time. Undo from the last page brings it back.</source>
        <translation>Archivé dans QuickBooks Time. Défaire l’importation, à la dernière page, le réactive.</translation>
    </message>
</context>
<context>
    <name>ConfirmDisconnect</name>
    <message>
        <source>Disconnect</source>
        <translation>Déconnecter</translation>
    </message>
    <message>
        <source>Disconnect &quot;{organisation}&quot; from QuickBooks Time &quot;{other}&quot;?

Nothing is deleted in Xero or in QuickBooks Time, and its import history is kept. You can connect it again later.</source>
        <translation>Déconnecter «&#xa0;{organisation}&#xa0;» de QuickBooks Time «&#xa0;{other}&#xa0;»&#xa0;?

Rien n’est supprimé dans Xero ni dans QuickBooks Time, et son historique d’importation est conservé. Vous pourrez la reconnecter plus tard.</translation>
    </message>
</context>
<context>
    <name>ConflictTableModel</name>
    <message>
        <source>Customer</source>
        <extracomment>the order kinds are listed in (filter combo, sorting by kind) spaces that look like a space but never break a line: in the list they wrap like one (the details mark them as a difference)</extracomment>
        <translation>Client</translation>
    </message>
    <message>
        <source>Team member</source>
        <translation>Membre de l’équipe</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Article</translation>
    </message>
    <message>
        <source>Custom field</source>
        <translation>Champ personnalisé</translation>
    </message>
    <message>
        <source>Custom field value</source>
        <translation>Valeur de champ personnalisé</translation>
    </message>
    <message>
        <source>Time off</source>
        <translation>Congés</translation>
    </message>
    <message>
        <source>Location</source>
        <translation>Lieu de travail</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Match</source>
        <translation>Similitude</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Pourquoi</translation>
    </message>
    <message>
        <source>Decision</source>
        <translation>Décision</translation>
    </message>
    <message>
        <source>{name} (archived)</source>
        <translation>{name} (archivé)</translation>
    </message>
    <message>
        <source>Same name</source>
        <translation>Même nom</translation>
    </message>
    <message>
        <source>Same name, one without e-mail</source>
        <translation>Même nom, un sans courriel</translation>
    </message>
    <message>
        <source>Same name, different e-mail</source>
        <translation>Même nom, autre courriel</translation>
    </message>
    <message>
        <source>Same e-mail, other name</source>
        <translation>Même courriel, autre nom</translation>
    </message>
    <message>
        <source>Same name, cut short</source>
        <translation>Même nom, tronqué</translation>
    </message>
    <message>
        <source>Same name with a number</source>
        <translation>Même nom avec un numéro</translation>
    </message>
    <message>
        <source>Similar name</source>
        <translation>Nom semblable</translation>
    </message>
    <message>
        <source>Nothing similar</source>
        <translation>Rien de semblable</translation>
    </message>
    <message>
        <source>Suggested: create new</source>
        <translation>Suggestion&#xa0;: créer</translation>
    </message>
    <message>
        <source>Decide again: the data changed</source>
        <translation>À redécider&#xa0;: les données ont changé</translation>
    </message>
    <message>
        <source>Your choice</source>
        <translation>À vous de choisir</translation>
    </message>
    <message>
        <source>Link to “{name}”</source>
        <translation>Lier à «&#xa0;{name}&#xa0;»</translation>
    </message>
    <message>
        <source>Xero</source>
        <translation>Xero</translation>
    </message>
    <message>
        <source>QuickBooks Time</source>
        <translation>QuickBooks Time</translation>
    </message>
    <message>
        <source>Suggested: link</source>
        <translation>Suggestion&#xa0;: lier</translation>
    </message>
    <message>
        <source>Link to record {number}</source>
        <translation>Lier à l’élément {number}</translation>
    </message>
    <message>
        <source>Restore and link to “{name}”</source>
        <translation>Restaurer et lier à «&#xa0;{name}&#xa0;»</translation>
    </message>
    <message>
        <source>Restore and link to record {number}</source>
        <translation>Restaurer et lier à l’élément {number}</translation>
    </message>
    <message>
        <source>Create new</source>
        <translation>Créer un nouvel élément</translation>
    </message>
    <message>
        <source>Create as “{name}”</source>
        <translation>Créer sous le nom «&#xa0;{name}&#xa0;»</translation>
    </message>
    <message>
        <source>“{name}” — {likeness}, {reason}</source>
        <translation>«&#xa0;{name}&#xa0;» — {likeness}, {reason}</translation>
    </message>
    <message>
        <source>No similar record</source>
        <translation>Aucun élément semblable</translation>
    </message>
    <message>
        <source>{name} (+{count} more)</source>
        <translation>{name} (+{count} autres)</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(sans nom)</translation>
    </message>
</context>
<context>
    <name>CountsModel</name>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>{kind}: {operation} {count}</source>
        <translation>{kind}&#xa0;: {operation} {count}</translation>
    </message>
</context>
<context>
    <name>DonePage</name>
    <message>
        <source>The undo was stopped: part of the import is undone, the rest is as the import left it. Click &quot;Undo this import&quot; to finish putting QuickBooks Time back as it was: what is undone already stays so.</source>
        <translation>Le retour en arrière a été arrêté&#xa0;: une partie de l’importation est défaite, le reste est tel que l’importation l’a laissé. Cliquez sur «&#xa0;Défaire cette importation&#xa0;» pour finir de remettre QuickBooks Time dans son état d’avant&#xa0;: ce qui est déjà défait le reste.</translation>
    </message>
    <message>
        <source>Stop the undo?</source>
        <translation>Arrêter de défaire l’importation&#xa0;?</translation>
    </message>
    <message>
        <source>&amp;Stop the undo</source>
        <translation>&amp;Arrêter de défaire</translation>
    </message>
    <message>
        <source>&amp;Keep undoing</source>
        <translation>&amp;Continuer à défaire</translation>
    </message>
    <message>
        <source>What is already put back stays so. The step in progress is finished first; then &quot;Undo this import&quot; finishes the undo whenever you wish.</source>
        <translation>Ce qui est déjà rétabli le reste. L’étape en cours est d’abord terminée&#xa0;; «&#xa0;Défaire cette importation&#xa0;» finira ensuite le travail quand vous le voudrez.</translation>
    </message>
    <message>
        <source>Stopping the undo after the current step…</source>
        <translation>Arrêt après l’étape en cours…</translation>
    </message>
    <message>
        <source>Reading the journal…</source>
        <extracomment>name, kind, action, reason, name of the record it waited for (worded when shown)</extracomment>
        <translation>Lecture du journal…</translation>
    </message>
    <message>
        <source>Not written because &quot;{name}&quot; could not be written first (see its reason).</source>
        <translation>Non importé, car «&#xa0;{name}&#xa0;» n’a pas pu être importé avant (voir sa raison).</translation>
    </message>
    <message>
        <source>Nothing was imported: QuickBooks Time was already up to date.</source>
        <translation>Rien n’a été importé&#xa0;: QuickBooks Time était déjà à jour.</translation>
    </message>
    <message>
        <source>This import was undone: QuickBooks Time is back as it was before it.</source>
        <translation>Cette importation a été défaite&#xa0;: QuickBooks Time est revenu à son état d’avant.</translation>
    </message>
    <message>
        <source>The import was stopped after {changes}. Import again from the start page to finish the job: nothing is created twice.</source>
        <translation>L’importation a été arrêtée après {changes}. Importez de nouveau depuis la page d’accueil pour terminer&#xa0;: rien n’est créé deux fois.</translation>
    </message>
    <message>
        <source>The import did not finish ({changes} made). Import again from the start page to finish the job: nothing is created twice.</source>
        <translation>L’importation ne s’est pas terminée (déjà fait&#xa0;: {changes}). Importez de nouveau depuis la page d’accueil pour terminer&#xa0;: rien n’est créé deux fois.</translation>
    </message>
    <message>
        <source>The import is finished: {changes} made in QuickBooks Time. Not written: {records} (see Problems).</source>
        <translation>L’importation est terminée&#xa0;: {changes} dans QuickBooks Time. Non importés&#xa0;: {records} (voir Problèmes).</translation>
    </message>
    <message>
        <source>The import is finished: {changes} made in QuickBooks Time.</source>
        <translation>L’importation est terminée&#xa0;: {changes} dans QuickBooks Time.</translation>
    </message>
    <message>
        <source>The import is finished: {changes} made in QuickBooks Time. Nothing went wrong.</source>
        <translation>L’importation est terminée&#xa0;: {changes} dans QuickBooks Time. Tout s’est bien passé.</translation>
    </message>
    <message>
        <source>Next, in QuickBooks Time: open &quot;Customers&quot; and &quot;Team&quot; to see what was imported; your team can track time to these customers now. When Xero changes, &quot;Import again&quot; on the start page brings QuickBooks Time up to date.</source>
        <translation>Ensuite, dans QuickBooks Time&#xa0;: ouvrez «&#xa0;Clients&#xa0;» et «&#xa0;Équipe&#xa0;» pour voir ce qui a été importé&#xa0;; votre équipe peut dès maintenant saisir du temps pour ces clients. Quand Xero change, «&#xa0;Importer de nouveau&#xa0;» sur la page d’accueil met QuickBooks Time à jour.</translation>
    </message>
    <message>
        <source>&amp;Problems ({n})</source>
        <translation>&amp;Problèmes ({n})</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Terminé</translation>
    </message>
    <message>
        <source>What the import did, what it could not do, and how to undo it.</source>
        <translation>Ce que l’importation a fait, ce qu’elle n’a pas pu faire, et comment la défaire.</translation>
    </message>
    <message>
        <source>&amp;Summary</source>
        <translation>&amp;Résumé</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Quoi</translation>
    </message>
    <message>
        <source>Summary of the changes</source>
        <translation>Résumé des modifications</translation>
    </message>
    <message>
        <source>These records were not written. Correct them in Xero or QuickBooks Time (the reason says what is wrong), then click &quot;Import again&quot; on the start page: what was done is not repeated.</source>
        <translation>Ces éléments n’ont pas été importés. Corrigez-les dans Xero ou QuickBooks Time (la raison dit ce qui ne va pas), puis cliquez sur «&#xa0;Importer de nouveau&#xa0;» sur la page d’accueil&#xa0;: ce qui a été fait n’est pas refait.</translation>
    </message>
    <message>
        <source>Record</source>
        <translation>Élément</translation>
    </message>
    <message>
        <source>Kind</source>
        <translation>Type</translation>
    </message>
    <message>
        <source>Change</source>
        <translation>Modification</translation>
    </message>
    <message>
        <source>Reason</source>
        <translation>Raison</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>Problèmes</translation>
    </message>
    <message>
        <source>Why</source>
        <translation>Pourquoi</translation>
    </message>
    <message>
        <source>No&amp;t imported ({n})</source>
        <translation>Non &amp;importés ({n})</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>These records were not imported this time. Those waiting for your decision are settled in &quot;Review look-alike records&quot;; the others say why.</source>
        <translation>Ces éléments n’ont pas été importés cette fois. Ceux qui attendent votre décision se règlent dans «&#xa0;Vérifier les éléments qui se ressemblent&#xa0;»&#xa0;; pour les autres, la raison est indiquée.</translation>
    </message>
    <message>
        <source>&amp;Review look-alike records</source>
        <translation>&amp;Vérifier les éléments qui se ressemblent</translation>
    </message>
    <message>
        <source>Decide what to do with each one; nothing is sent until you import again</source>
        <translation>Décidez quoi faire de chacun&#xa0;; rien n’est envoyé avant que vous importiez de nouveau</translation>
    </message>
    <message>
        <source>Records not imported</source>
        <translation>Éléments non importés</translation>
    </message>
    <message>
        <source>&amp;Undo this import</source>
        <translation>&amp;Défaire cette importation</translation>
    </message>
    <message>
        <source>Put QuickBooks Time back as it was before this import</source>
        <translation>Remettre QuickBooks Time dans l’état d’avant cette importation</translation>
    </message>
    <message>
        <source>Open &amp;log folder</source>
        <translation>Ouvrir le dossier du &amp;journal</translation>
    </message>
    <message>
        <source>&amp;Export report (CSV)…</source>
        <translation>&amp;Exporter le rapport (CSV)…</translation>
    </message>
    <message>
        <source>One row per change, for your records or your accountant</source>
        <translation>Une ligne par modification, pour vos dossiers ou votre comptable</translation>
    </message>
    <message>
        <source>The import was undone. What it created is archived (QuickBooks Time never deletes anything), what it changed is changed back, and what it archived is active again.</source>
        <translation>L’importation a été défaite. Ce qu’elle a créé est archivé (QuickBooks Time ne supprime jamais rien), ce qu’elle a modifié est rétabli, et ce qu’elle a archivé est de nouveau actif.</translation>
    </message>
    <message>
        <source>Except what was changed or built on in QuickBooks Time after the import, left as it is:</source>
        <translation>Sauf ce qui a été modifié ou complété dans QuickBooks Time après l’importation, laissé tel quel&#xa0;:</translation>
    </message>
    <message>
        <source>{count} review decision(s) this import applied are open again: review them before the next import.</source>
        <translation>{count} décision(s) de vérification appliquée(s) par cette importation sont de nouveau ouvertes&#xa0;: vérifiez-les avant la prochaine importation.</translation>
    </message>
    <message>
        <source>Part of the import could not be undone ({changes}). Click &quot;Undo this import&quot; again to retry.</source>
        <translation>Une partie de l’importation n’a pas pu être défaite ({changes}). Cliquez de nouveau sur «&#xa0;Défaire cette importation&#xa0;» pour réessayer.</translation>
    </message>
    <message>
        <source>Undo this import?</source>
        <translation>Défaire cette importation&#xa0;?</translation>
    </message>
    <message>
        <source>&amp;Undo the import</source>
        <translation>&amp;Défaire l’importation</translation>
    </message>
    <message>
        <source>&amp;Keep it</source>
        <translation>&amp;La garder</translation>
    </message>
    <message>
        <source>What the import created is archived in QuickBooks Time, what it changed is changed back, and what it archived is made active again. Time already tracked is kept.</source>
        <translation>Ce que l’importation a créé est archivé dans QuickBooks Time, ce qu’elle a modifié est rétabli, et ce qu’elle a archivé redevient actif. Le temps déjà saisi est conservé.</translation>
    </message>
    <message>
        <source>Undoing the import… QuickBooks Time is being put back as it was.</source>
        <translation>L’importation est en train d’être défaite… QuickBooks Time est remis dans son état d’avant.</translation>
    </message>
    <message>
        <source>The log folder could not be opened here. You will find it at: {path}</source>
        <translation>Le dossier du journal n’a pas pu être ouvert ici. Vous le trouverez à cet endroit&#xa0;: {path}</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Before</source>
        <translation>Avant</translation>
    </message>
    <message>
        <source>After</source>
        <translation>Après</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>Export report</source>
        <translation>Exporter le rapport</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Fichiers CSV (*.csv)</translation>
    </message>
    <message>
        <source>import-{number}-{date}.csv</source>
        <translation>importation-{number}-{date}.csv</translation>
    </message>
    <message>
        <source>Saving the report…</source>
        <translation>Enregistrement du rapport…</translation>
    </message>
    <message>
        <source>The report could not be saved in {path} ({why}). Choose another folder and try again.</source>
        <translation>Le rapport n’a pas pu être enregistré dans {path} ({why}). Choisissez un autre dossier et réessayez.</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Réessayer</translation>
    </message>
    <message>
        <source>Report saved: {path} ({rows}).</source>
        <translation>Rapport enregistré&#xa0;: {path} ({rows}).</translation>
    </message>
    <message>
        <source>1 record needs your decision: it was not imported. Decide, then import again.</source>
        <translation>1 élément attend votre décision&#xa0;: il n’a pas été importé. Décidez, puis importez de nouveau.</translation>
    </message>
    <message>
        <source>{n} records need your decision: they were not imported. Decide, then import again.</source>
        <translation>{n} éléments attendent votre décision&#xa0;: ils n’ont pas été importés. Décidez, puis importez de nouveau.</translation>
    </message>
</context>
<context>
    <name>HistoryDialog</name>
    <message>
        <source>Reading the history…</source>
        <extracomment>the kind of run an undo undid (import, payroll_export, invoicing) an undo finished here (the home page refreshes its &quot;last import&quot;)</extracomment>
        <translation>Lecture de l’historique…</translation>
    </message>
    <message>
        <source>Undo the later imports first?</source>
        <translation>Défaire d’abord les imports plus récents&#xa0;?</translation>
    </message>
    <message>
        <source>&amp;Undo them all</source>
        <translation>&amp;Les défaire tous</translation>
    </message>
    <message>
        <source>&amp;Keep them</source>
        <translation>&amp;Les garder</translation>
    </message>
    <message>
        <source>Imports {numbers} will be undone in this order.</source>
        <translation>Les imports {numbers} seront défaits dans cet ordre.</translation>
    </message>
    <message>
        <source>Undo the later sendings of hours first?</source>
        <translation>Défaire d’abord les envois d’heures plus récents&#xa0;?</translation>
    </message>
    <message>
        <source>Sendings of hours {numbers} will be undone in this order.</source>
        <translation>Les envois d’heures {numbers} seront défaits dans cet ordre.</translation>
    </message>
    <message>
        <source>Undo the later billings first?</source>
        <translation>Défaire d’abord les facturations plus récentes&#xa0;?</translation>
    </message>
    <message>
        <source>Billings {numbers} will be undone in this order.</source>
        <translation>Les facturations {numbers} seront défaites dans cet ordre.</translation>
    </message>
    <message>
        <source>Undo of hours sent {number}</source>
        <translation>Envoi d’heures {number} défait</translation>
    </message>
    <message>
        <source>Undo of billing {number}</source>
        <translation>Facturation {number} défaite</translation>
    </message>
    <message>
        <source>Undo of import {number}</source>
        <translation>Importation {number} défaite</translation>
    </message>
    <message>
        <source>Import {number}</source>
        <translation>Importation {number}</translation>
    </message>
    <message>
        <source>Billing {number}</source>
        <translation>Facturation {number}</translation>
    </message>
    <message>
        <source>Hours sent {number}</source>
        <translation>Envoi d’heures {number}</translation>
    </message>
    <message>
        <source>No change</source>
        <translation>Aucun changement</translation>
    </message>
    <message>
        <source>Undo import {number}?</source>
        <translation>Défaire l’importation {number}&#xa0;?</translation>
    </message>
    <message>
        <source>Undo import {number} of {when}?</source>
        <translation>Défaire l’importation {number} du {when}&#xa0;?</translation>
    </message>
    <message>
        <source>&amp;Undo the import</source>
        <translation>&amp;Défaire l’importation</translation>
    </message>
    <message>
        <source>&amp;Keep it</source>
        <translation>&amp;La garder</translation>
    </message>
    <message>
        <source>What that import created is archived in QuickBooks Time, what it changed is changed back, and what it archived is made active again. Time already tracked is kept.</source>
        <translation>Ce que cette importation a créé est archivé dans QuickBooks Time, ce qu’elle a modifié est rétabli, et ce qu’elle a archivé redevient actif. Le temps déjà saisi est conservé.</translation>
    </message>
    <message>
        <source>Undoing billing {number}…</source>
        <translation>La facturation {number} est en train d’être défaite…</translation>
    </message>
    <message>
        <source>Undoing sending {number}…</source>
        <translation>L’envoi d’heures {number} est en train d’être défait…</translation>
    </message>
    <message>
        <source>Undoing import {number}…</source>
        <translation>L’importation {number} est en train d’être défaite…</translation>
    </message>
    <message>
        <source>Hours sent {number} were taken back from Xero Payroll.</source>
        <translation>Les heures de l’envoi {number} ont été retirées de Xero Payroll.</translation>
    </message>
    <message>
        <source>Billing {number} was undone: its draft invoices are deleted.</source>
        <translation>La facturation {number} a été défaite&#xa0;: ses brouillons de factures sont supprimés.</translation>
    </message>
    <message>
        <source>Import {number} was undone.</source>
        <translation>L’importation {number} a été défaite.</translation>
    </message>
    <message>
        <source>Except what was changed or built on in QuickBooks Time after the import, left as it is:</source>
        <translation>Sauf ce qui a été modifié ou complété dans QuickBooks Time après l’importation, laissé tel quel&#xa0;:</translation>
    </message>
    <message>
        <source>{count} review decision(s) this import applied are open again: review them before the next import.</source>
        <translation>{count} décision(s) de vérification appliquée(s) par cette importation sont de nouveau ouvertes&#xa0;: vérifiez-les avant la prochaine importation.</translation>
    </message>
    <message>
        <source>Part of hours sent {number} could not be taken back from Xero: the history lists what was left as it is.</source>
        <translation>Une partie de l’envoi d’heures {number} n’a pas pu être retirée de Xero&#xa0;: l’historique indique ce qui est resté tel quel.</translation>
    </message>
    <message>
        <source>Part of billing {number} could not be undone in Xero: the history lists what was left as it is.</source>
        <translation>Une partie de la facturation {number} n’a pas pu être défaite dans Xero&#xa0;: l’historique indique ce qui est resté tel quel.</translation>
    </message>
    <message>
        <source>Part of import {number} could not be undone. Select it and click &quot;Undo this import&quot; again to retry.</source>
        <translation>Une partie de l’importation {number} n’a pas pu être défaite. Sélectionnez-la et cliquez de nouveau sur «&#xa0;Défaire cette importation&#xa0;» pour réessayer.</translation>
    </message>
    <message>
        <source>History</source>
        <translation>Historique</translation>
    </message>
    <message>
        <source>Date</source>
        <translation>Date</translation>
    </message>
    <message>
        <source>What</source>
        <translation>Quoi</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>Changes</source>
        <translation>Modifications</translation>
    </message>
    <message>
        <source>&amp;Undo this import</source>
        <translation>&amp;Défaire cette importation</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>Everything this app sent to QuickBooks Time or Xero, and every undo, newest first. Select a line to undo it: you are told what will change before anything does.</source>
        <translation>Tout ce que cette application a envoyé à QuickBooks Time ou à Xero, et chaque action défaite, de la plus récente à la plus ancienne. Sélectionnez une ligne pour la défaire&#xa0;: ce qui va changer vous est dit avant tout changement.</translation>
    </message>
    <message>
        <source>&amp;What was done:</source>
        <translation>&amp;Ce qui a été fait&#xa0;:</translation>
    </message>
    <message>
        <source>What was done, and its undos</source>
        <translation>Ce qui a été fait, et ce qui a été défait</translation>
    </message>
    <message>
        <source>&amp;Undo this billing</source>
        <translation>&amp;Défaire cette facturation</translation>
    </message>
    <message>
        <source>&amp;Undo this sending</source>
        <translation>&amp;Défaire cet envoi</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Défaire</translation>
    </message>
    <message>
        <source>Open in Xero</source>
        <translation>Ouvrir dans Xero</translation>
    </message>
    <message>
        <source>The invoices of billing {number} could not be read: Xero could not be reached.</source>
        <translation>Les factures de la facturation {number} n’ont pas pu être lues&#xa0;: Xero n’a pas pu être joint.</translation>
    </message>
    <message>
        <source>Invoices of billing {number}, as Xero has them now:</source>
        <translation>Factures de la facturation {number}, telles que Xero les a maintenant&#xa0;:</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Number</source>
        <translation>Numéro</translation>
    </message>
    <message>
        <source>Amount</source>
        <translation>Montant</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Invoices of the billing selected</source>
        <translation>Factures de la facturation choisie</translation>
    </message>
    <message>
        <source>Undo billing {number}?</source>
        <translation>Défaire la facturation {number}&#xa0;?</translation>
    </message>
    <message>
        <source>Delete the draft invoices of billing {number} in Xero?</source>
        <translation>Supprimer dans Xero les factures brouillons de la facturation {number}&#xa0;?</translation>
    </message>
    <message>
        <source>&amp;Delete the drafts</source>
        <translation>&amp;Supprimer les brouillons</translation>
    </message>
    <message>
        <source>Drafts are deleted in Xero. An invoice approved or paid since is left as it is. The hours can be billed again later.</source>
        <translation>Les brouillons sont supprimés dans Xero. Une facture approuvée ou payée depuis reste telle quelle. Les heures pourront être facturées de nouveau plus tard.</translation>
    </message>
    <message>
        <source>Undo sending {number}?</source>
        <translation>Défaire l’envoi {number}&#xa0;?</translation>
    </message>
    <message>
        <source>Take the hours of sending {number} back out of Xero Payroll?</source>
        <translation>Retirer de Xero Payroll les heures de l’envoi {number}&#xa0;?</translation>
    </message>
    <message>
        <source>&amp;Undo the sending</source>
        <translation>&amp;Défaire l’envoi</translation>
    </message>
    <message>
        <source>The draft timesheets and leave this sending made are removed from Xero, and the drafts it changed are put back as they were. A timesheet already approved in Xero is left alone and listed. QuickBooks Time is not changed.</source>
        <translation>Les feuilles de temps brouillons et les congés créés par cet envoi sont retirés de Xero, et les brouillons qu’il a modifiés sont remis comme avant. Une feuille de temps déjà approuvée dans Xero n’est pas touchée et elle est signalée. QuickBooks Time n’est pas modifié.</translation>
    </message>
</context>
<context>
    <name>HomePage</name>
    <message>
        <source>Reading…</source>
        <translation>Lecture…</translation>
    </message>
    <message>
        <source>Checking Xero for changes…</source>
        <translation>Recherche des modifications dans Xero…</translation>
    </message>
    <message>
        <source>Check &amp;again</source>
        <translation>&amp;Vérifier de nouveau</translation>
    </message>
    <message>
        <source>Your Xero organisation &quot;{organisation}&quot; is connected to the QuickBooks Time company &quot;{company}&quot;.</source>
        <translation>Votre organisation Xero «&#xa0;{organisation}&#xa0;» est connectée à l’entreprise QuickBooks Time «&#xa0;{company}&#xa0;».</translation>
    </message>
    <message>
        <source>No import yet.</source>
        <translation>Aucune importation pour l’instant.</translation>
    </message>
    <message>
        <source>{when}: {result}, {changes}.</source>
        <translation>{when}&#xa0;: {result}, {changes}.</translation>
    </message>
    <message>
        <source>Not written: {records}.</source>
        <translation>Non importés&#xa0;: {records}.</translation>
    </message>
    <message>
        <source>Not known: Xero could not be checked.</source>
        <translation>Inconnu&#xa0;: Xero n’a pas pu être vérifié.</translation>
    </message>
    <message>
        <source>Checking…</source>
        <translation>Vérification…</translation>
    </message>
    <message>
        <source>Nothing changed.</source>
        <translation>Rien n’a changé.</translation>
    </message>
    <message>
        <source>{waiting}: they are left out of the import until you decide.</source>
        <translation>{waiting}&#xa0;: ils restent hors de l’importation tant que vous n’avez pas décidé.</translation>
    </message>
    <message>
        <source>No record needs your decision.</source>
        <translation>Aucun élément n’attend votre décision.</translation>
    </message>
    <message>
        <source>The Demo Company&apos;s QuickBooks Time exists only on this computer: there is no website to open.</source>
        <translation>Le QuickBooks Time de l’entreprise de démonstration n’existe que sur cet ordinateur&#xa0;: il n’y a pas de site à ouvrir.</translation>
    </message>
    <message>
        <source>See the imported customers and team in QuickBooks Time, in your browser</source>
        <translation>Voir les clients et l’équipe importés dans QuickBooks Time, dans votre navigateur</translation>
    </message>
    <message>
        <source>Business</source>
        <translation>Entreprise</translation>
    </message>
    <message>
        <source>Waiting for you</source>
        <translation>À décider</translation>
    </message>
    <message>
        <source>&amp;Add another business…</source>
        <translation>&amp;Ajouter une autre entreprise…</translation>
    </message>
    <message>
        <source>Connect another Xero organisation to its own QuickBooks Time account</source>
        <translation>Connecter une autre organisation Xero à son propre compte QuickBooks Time</translation>
    </message>
    <message>
        <source>Open &amp;QuickBooks Time</source>
        <translation>Ouvrir &amp;QuickBooks Time</translation>
    </message>
    <message>
        <source>Import again</source>
        <translation>Importer de nouveau</translation>
    </message>
    <message>
        <source>Bring QuickBooks Time up to date with what changed in Xero. You will see every change before it is made.</source>
        <translation>Mettez QuickBooks Time à jour avec ce qui a changé dans Xero. Vous verrez chaque modification avant qu’elle soit faite.</translation>
    </message>
    <message>
        <source>Last import</source>
        <translation>Dernière importation</translation>
    </message>
    <message>
        <source>{organisation} ↔ {company}</source>
        <translation>{organisation} ↔ {company}</translation>
    </message>
    <message>
        <source>No import yet</source>
        <translation>Aucune importation pour l’instant</translation>
    </message>
    <message>
        <source>{when}: {result}</source>
        <translation>{when}&#xa0;: {result}</translation>
    </message>
    <message>
        <source>Not read from Xero yet</source>
        <translation>Pas encore lue dans Xero</translation>
    </message>
    <message>
        <source>Counting…</source>
        <translation>Comptage…</translation>
    </message>
    <message>
        <source>Nothing waits</source>
        <translation>Rien en attente</translation>
    </message>
    <message>
        <source>No browser could be opened. Open this address yourself: {url}</source>
        <translation>Aucun navigateur n’a pu être ouvert. Ouvrez vous-même cette adresse&#xa0;: {url}</translation>
    </message>
    <message>
        <source>Xero or QuickBooks Time could not be reached, so the changes are not known. You can still review look-alike records and options; the import needs the connection.</source>
        <translation>Impossible de joindre Xero ou QuickBooks Time&#xa0;: les modifications ne sont pas connues. Vous pouvez quand même vérifier les éléments qui se ressemblent et les options&#xa0;; l’importation a besoin de la connexion.</translation>
    </message>
    <message>
        <source>Xero could not be checked for changes: {reason} Until you are signed in again, the changes are not known and the import waits; you can still review look-alike records and options.</source>
        <translation>Impossible de vérifier les modifications dans Xero&#xa0;: {reason} Tant que vous ne vous êtes pas reconnecté, les modifications ne sont pas connues et l’importation attend&#xa0;; vous pouvez quand même vérifier les éléments qui se ressemblent et les options.</translation>
    </message>
    <message>
        <source>&amp;Connect to Xero</source>
        <translation>&amp;Se connecter à Xero</translation>
    </message>
    <message>
        <source>&amp;Your businesses</source>
        <translation>Vos en&amp;treprises</translation>
    </message>
    <message>
        <source>What changed in Xero since the last check</source>
        <translation>Ce qui a changé dans Xero depuis la dernière vérification</translation>
    </message>
    <message>
        <source>&amp;Review look-alike records</source>
        <translation>&amp;Vérifier les éléments qui se ressemblent</translation>
    </message>
    <message>
        <source>Decide about records that look alike (works offline)</source>
        <translation>Décider quoi faire des éléments qui se ressemblent (fonctionne hors ligne)</translation>
    </message>
    <message>
        <source>&amp;Options</source>
        <translation>&amp;Options</translation>
    </message>
    <message>
        <source>What to import, and how</source>
        <translation>Quoi importer, et comment</translation>
    </message>
    <message>
        <source>&amp;History…</source>
        <translation>&amp;Historique…</translation>
    </message>
    <message>
        <source>Past imports, and undo</source>
        <translation>Importations passées (et les défaire)</translation>
    </message>
    <message>
        <source>&amp;Disconnect…</source>
        <translation>&amp;Déconnecter…</translation>
    </message>
    <message>
        <source>Forget the sign-ins to Xero and QuickBooks Time on this computer</source>
        <translation>Oublier les connexions à Xero et à QuickBooks Time sur cet ordinateur</translation>
    </message>
    <message>
        <source>&amp;Import again</source>
        <translation>&amp;Importer de nouveau</translation>
    </message>
    <message>
        <source>Close</source>
        <translation>Fermer</translation>
    </message>
    <message>
        <source>Preparing the import…</source>
        <translation>Préparation de l’importation…</translation>
    </message>
    <message>
        <source>Disconnect?</source>
        <translation>Déconnecter&#xa0;?</translation>
    </message>
    <message>
        <source>Disconnect Xero and QuickBooks Time?</source>
        <translation>Déconnecter Xero et QuickBooks Time&#xa0;?</translation>
    </message>
    <message>
        <source>&amp;Disconnect</source>
        <translation>&amp;Déconnecter</translation>
    </message>
    <message>
        <source>&amp;Keep the connection</source>
        <translation>&amp;Garder la connexion</translation>
    </message>
    <message>
        <source>This computer forgets the sign-in to Xero and the QuickBooks Time access key. Nothing is changed in Xero or QuickBooks Time, and the history of imports is kept. You can connect again from the start.</source>
        <translation>Cet ordinateur oublie la connexion à Xero et la clé d’accès QuickBooks Time. Rien n’est modifié dans Xero ni dans QuickBooks Time, et l’historique des importations est conservé. Vous pourrez vous reconnecter depuis le début.</translation>
    </message>
    <message>
        <source>Only &quot;{business}&quot; is disconnected: the other businesses stay.</source>
        <translation>Seule l’entreprise «&#xa0;{business}&#xa0;» est déconnectée&#xa0;: les autres restent connectées.</translation>
    </message>
    <message>
        <source>Disconnecting…</source>
        <translation>Déconnexion…</translation>
    </message>
    <message>
        <source>Disconnected</source>
        <translation>Déconnecté</translation>
    </message>
    <message>
        <source>Disconnected. Some sign-ins could not be removed:</source>
        <translation>Déconnecté. Certaines connexions n’ont pas pu être supprimées&#xa0;:</translation>
    </message>
    <message>
        <source>Every pay period</source>
        <translation>À chaque période de paie</translation>
    </message>
    <message>
        <source>Send the hours approved in QuickBooks Time, and paid time off, to Xero Payroll as draft timesheets. You see them before anything is sent, and can undo it.</source>
        <translation>Envoyez à Xero Payroll les heures approuvées dans QuickBooks Time et les congés payés, sous forme de feuilles de temps brouillons. Vous les voyez avant tout envoi, et pouvez défaire l’envoi.</translation>
    </message>
    <message>
        <source>&amp;Send hours to Xero…</source>
        <translation>&amp;Envoyer les heures à Xero…</translation>
    </message>
    <message>
        <source>Approved hours of a pay period become draft timesheets in Xero Payroll</source>
        <translation>Les heures approuvées d’une période de paie deviennent des feuilles de temps brouillons dans Xero Payroll</translation>
    </message>
    <message>
        <source>Invoices from your hours</source>
        <translation>Factures tirées de vos heures</translation>
    </message>
    <message>
        <source>Bill &amp;time in Xero…</source>
        <translation>&amp;Facturer le temps dans Xero…</translation>
    </message>
    <message>
        <source>Billable hours become draft invoices in Xero, one per customer</source>
        <translation>Les heures facturables deviennent des factures brouillons dans Xero, une par client</translation>
    </message>
    <message>
        <source>The status of the invoices made here is not known: Xero could not be reached.</source>
        <translation>L’état des factures créées ici n’est pas connu&#xa0;: Xero n’a pas pu être joint.</translation>
    </message>
    <message>
        <source>The status of the invoices made here is not known until you sign in to Xero again.</source>
        <translation>L’état des factures créées ici n’est pas connu tant que vous ne vous êtes pas reconnecté à Xero.</translation>
    </message>
    <message>
        <source>Reading the status of the invoices made here…</source>
        <translation>Lecture de l’état des factures créées ici…</translation>
    </message>
    <message>
        <source>No invoice made here yet. Bill the billable hours tracked in QuickBooks Time as draft invoices in Xero; you see them before anything is sent, and can undo it.</source>
        <translation>Aucune facture créée ici pour l’instant. Facturez les heures facturables saisies dans QuickBooks Time en factures brouillons dans Xero&#xa0;; vous les voyez avant tout envoi, et pouvez défaire l’envoi.</translation>
    </message>
    <message>
        <source>Invoices made here, as Xero has them now: {draft} draft, {approved} approved, {paid} paid, {deleted} deleted.</source>
        <translation>Factures créées ici, telles que Xero les a maintenant&#xa0;: {draft} brouillon(s), {approved} approuvée(s), {paid} payée(s), {deleted} supprimée(s).</translation>
    </message>
    <message>
        <source>Awaiting approval: {n}.</source>
        <translation>En attente d’approbation&#xa0;: {n}.</translation>
    </message>
    <message>
        <source>Voided: {n}.</source>
        <translation>Annulées&#xa0;: {n}.</translation>
    </message>
</context>
<context>
    <name>InvoiceStatus</name>
    <message>
        <source>Draft</source>
        <translation>Brouillon</translation>
    </message>
    <message>
        <source>Awaiting approval</source>
        <translation>En attente d’approbation</translation>
    </message>
    <message>
        <source>Approved</source>
        <translation>Approuvée</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>Payée</translation>
    </message>
    <message>
        <source>Deleted</source>
        <translation>Supprimée</translation>
    </message>
    <message>
        <source>Voided</source>
        <translation>Annulée</translation>
    </message>
    <message>
        <source>Not known</source>
        <translation>Inconnu</translation>
    </message>
</context>
<context>
    <name>LeaveLinksDialog</name>
    <message>
        <source>— not linked —</source>
        <extracomment>combo data meaning &quot;not linked&quot; (no QuickBooks Time jobcode has id 0)</extracomment>
        <translation>— non lié —</translation>
    </message>
    <message>
        <source>%1 (archived in QuickBooks Time)</source>
        <translation>%1 (archivé dans QuickBooks Time)</translation>
    </message>
    <message>
        <source>Link leave types</source>
        <translation>Lier les types de congés</translation>
    </message>
    <message>
        <source>Choose the QuickBooks Time time-off code for each Xero leave type. Time off recorded on a linked code is sent to Xero Payroll as that leave when you send hours. Codes with the same name are chosen for you: check them. Unpaid leave is never sent to Xero.</source>
        <translation>Choisissez le code de congé QuickBooks Time de chaque type de congé Xero. Les congés saisis sur un code lié sont envoyés à Xero Payroll comme ce congé quand vous envoyez les heures. Les codes du même nom sont choisis pour vous&#xa0;: vérifiez-les. Les congés sans solde ne sont jamais envoyés à Xero.</translation>
    </message>
    <message>
        <source>QuickBooks Time has no time-off codes yet. Add them in QuickBooks Time first, then come back here.</source>
        <translation>QuickBooks Time n’a encore aucun code de congé. Ajoutez-les d’abord dans QuickBooks Time, puis revenez ici.</translation>
    </message>
    <message>
        <source>No leave types were read from Xero for this organisation: there is nothing to link.</source>
        <translation>Aucun type de congé n’a été lu dans Xero pour cette organisation&#xa0;: il n’y a rien à lier.</translation>
    </message>
    <message>
        <source>Xero leave type</source>
        <translation>Type de congé Xero</translation>
    </message>
    <message>
        <source>QuickBooks Time time-off code</source>
        <translation>Code de congé QuickBooks Time</translation>
    </message>
    <message>
        <source>When you send hours</source>
        <translation>Quand vous envoyez les heures</translation>
    </message>
    <message>
        <source>Paid: sent to Xero Payroll</source>
        <translation>Payé&#xa0;: envoyé à Xero Payroll</translation>
    </message>
    <message>
        <source>Unpaid: never sent to Xero</source>
        <translation>Sans solde&#xa0;: jamais envoyé à Xero</translation>
    </message>
    <message>
        <source>%1 (no longer used in Xero)</source>
        <translation>%1 (plus utilisé dans Xero)</translation>
    </message>
    <message>
        <source>Time-off code for %1</source>
        <translation>Code de congé pour %1</translation>
    </message>
    <message>
        <source>Chosen for you: same name. Check it.</source>
        <translation>Choisi pour vous&#xa0;: même nom. Vérifiez-le.</translation>
    </message>
    <message>
        <source>&amp;Save links</source>
        <translation>&amp;Enregistrer les liens</translation>
    </message>
    <message>
        <source>No longer active in Xero: not sent</source>
        <translation>Plus actif dans Xero&#xa0;: non envoyé</translation>
    </message>
    <message>
        <source>Counted in days in Xero: not sent</source>
        <translation>Compté en jours dans Xero&#xa0;: non envoyé</translation>
    </message>
    <message>
        <source>Counted in weeks in Xero: not sent</source>
        <translation>Compté en semaines dans Xero&#xa0;: non envoyé</translation>
    </message>
    <message>
        <source>Not counted in hours in Xero: not sent</source>
        <translation>Pas compté en heures dans Xero&#xa0;: non envoyé</translation>
    </message>
    <message>
        <source>Unpaid time-off code: not sent</source>
        <translation>Code de congé sans solde&#xa0;: non envoyé</translation>
    </message>
    <message>
        <source>The time-off code %1 is chosen for more than one leave type: %2. Its time off can be sent as one leave type only: choose it for one of them.</source>
        <translation>Le code de congé %1 est choisi pour plusieurs types de congés&#xa0;: %2. Ses congés ne peuvent être envoyés que comme un seul type de congé&#xa0;: choisissez-le pour un seul d’entre eux.</translation>
    </message>
    <message>
        <source>&quot;%1&quot;</source>
        <translation>«&#xa0;%1&#xa0;»</translation>
    </message>
</context>
<context>
    <name>ManageCustomersDialog</name>
    <message>
        <source>No contact ticked.</source>
        <extracomment>(id, name, email, city) in display order, and per row its folded name, email, city</extracomment>
        <translation>Aucun contact coché.</translation>
    </message>
    <message>
        <source>1 contact ticked: it will be imported as a customer.</source>
        <translation>1 contact coché&#xa0;: il sera importé comme client.</translation>
    </message>
    <message>
        <source>%1 contacts ticked: they will be imported as customers.</source>
        <translation>%1 contacts cochés&#xa0;: ils seront importés comme clients.</translation>
    </message>
    <message>
        <source>Showing %1 of %2 contacts.</source>
        <translation>Contacts affichés&#xa0;: %1 sur %2.</translation>
    </message>
    <message>
        <source>Every active Xero contact is already a customer: there is nothing to add.</source>
        <translation>Tous les contacts Xero actifs sont déjà des clients&#xa0;: il n’y a rien à ajouter.</translation>
    </message>
    <message>
        <source>No contact matches your search.</source>
        <translation>Aucun contact ne correspond à votre recherche.</translation>
    </message>
    <message>
        <source>Add Xero contacts as customers</source>
        <translation>Ajouter des contacts Xero comme clients</translation>
    </message>
    <message>
        <source>These Xero contacts have never been invoiced, so they are not customers yet and are not imported. Tick the ones your team members need to track time against. Untick one to stop importing it.</source>
        <translation>Ces contacts Xero n’ont jamais été facturés&#xa0;: ce ne sont donc pas encore des clients, et ils ne sont pas importés. Cochez ceux pour lesquels les membres de votre équipe doivent saisir du temps. Décochez-en un pour ne plus l’importer.</translation>
    </message>
    <message>
        <source>&amp;Search:</source>
        <translation>&amp;Rechercher&#xa0;:</translation>
    </message>
    <message>
        <source>Name, email or city</source>
        <translation>Nom, courriel ou ville</translation>
    </message>
    <message>
        <source>Search contacts</source>
        <translation>Rechercher des contacts</translation>
    </message>
    <message>
        <source>Show only &amp;ticked contacts</source>
        <translation>Afficher seulement les contacts &amp;cochés</translation>
    </message>
    <message>
        <source>Xero contacts that are not customers</source>
        <translation>Contacts Xero qui ne sont pas des clients</translation>
    </message>
    <message>
        <source>Press Space to tick or untick a contact.</source>
        <translation>Appuyez sur Espace pour cocher ou décocher un contact.</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Courriel</translation>
    </message>
    <message>
        <source>City</source>
        <translation>Ville</translation>
    </message>
    <message>
        <source>Sa&amp;ve</source>
        <translation>&amp;Enregistrer</translation>
    </message>
</context>
<context>
    <name>OptionsPage</name>
    <message>
        <source>Import options</source>
        <extracomment>the check boxes, in screen order, and the ImportOptions field each one sets</extracomment>
        <translation>Options d’importation</translation>
    </message>
    <message>
        <source>Choose what to bring from Xero into QuickBooks Time. Nothing is written yet; your choices are kept.</source>
        <translation>Choisissez ce qu’il faut importer de Xero dans QuickBooks Time. Rien n’est encore modifié&#xa0;; vos choix sont gardés.</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>Clients</translation>
    </message>
    <message>
        <source>Items and custom fields</source>
        <translation>Articles et champs personnalisés</translation>
    </message>
    <message>
        <source>Team members and time off</source>
        <translation>Membres de l’équipe et congés</translation>
    </message>
    <message>
        <source>Import &amp;customers from Xero</source>
        <translation>Importer les &amp;clients de Xero</translation>
    </message>
    <message>
        <source>&amp;Archive unmatched customers in QuickBooks Time</source>
        <translation>&amp;Archiver dans QuickBooks Time les clients sans correspondance</translation>
    </message>
    <message>
        <source>A&amp;ssign all imported customers to all team members</source>
        <translation>Attri&amp;buer tous les clients importés à tous les membres de l’équipe</translation>
    </message>
    <message>
        <source>Import &amp;items from Xero</source>
        <translation>Importer les a&amp;rticles de Xero</translation>
    </message>
    <message>
        <source>&amp;Require all team members to select an item</source>
        <translation>E&amp;xiger que tous les membres de l’équipe choisissent un article</translation>
    </message>
    <message>
        <source>Import &amp;tracking categories as custom fields</source>
        <translation>Importer les catégories de s&amp;uivi comme champs personnalisés</translation>
    </message>
    <message>
        <source>Import &amp;employees as team members</source>
        <translation>Importer les &amp;employés comme membres de l’équipe</translation>
    </message>
    <message>
        <source>&amp;Link leave types to time-off codes</source>
        <translation>&amp;Lier les types de congés aux codes de congé</translation>
    </message>
    <message>
        <source>Xero customers become QuickBooks Time customers, for tracking time. Look-alikes are shown to you, never duplicated.</source>
        <translation>Les clients Xero deviennent des clients QuickBooks Time, pour y suivre le temps. Les éléments qui se ressemblent vous sont montrés, jamais dupliqués.</translation>
    </message>
    <message>
        <source>Off: customers with no match in Xero stay as they are.</source>
        <translation>Désactivé&#xa0;: les clients sans correspondance dans Xero restent tels quels.</translation>
    </message>
    <message>
        <source>Otherwise, choose who works for which customer in QuickBooks Time.</source>
        <translation>Sinon, choisissez dans QuickBooks Time qui travaille pour quel client.</translation>
    </message>
    <message>
        <source>Items sold and not tracked as inventory, to pick on timesheets.</source>
        <translation>Les articles vendus et non suivis en stock, à choisir sur les feuilles de temps.</translation>
    </message>
    <message>
        <source>When they clock in or switch customer.</source>
        <translation>Quand ils pointent ou changent de client.</translation>
    </message>
    <message>
        <source>Each category&apos;s options become the field&apos;s choices.</source>
        <translation>Les options de chaque catégorie deviennent les choix du champ.</translation>
    </message>
    <message>
        <source>Xero Payroll employees become team members. Someone added by hand is matched by first name, last name and email.</source>
        <translation>Les employés de Xero Payroll deviennent des membres de l’équipe. Une personne ajoutée à la main est reconnue par son prénom, son nom et son courriel.</translation>
    </message>
    <message>
        <source>Time off on a linked code goes to Xero Payroll as that leave type when you send hours. Unpaid leave is never sent.</source>
        <translation>Les congés saisis sur un code lié vont dans Xero Payroll sous ce type de congé quand vous envoyez les heures. Les congés non payés ne sont jamais envoyés.</translation>
    </message>
    <message>
        <source>Name of the items&apos; custom &amp;field:</source>
        <translation>&amp;Nom du champ personnalisé des articles&#xa0;:</translation>
    </message>
    <message>
        <source>Name of the items&apos; custom field</source>
        <translation>Nom du champ personnalisé des articles</translation>
    </message>
    <message>
        <source>&amp;Manage Xero customers…</source>
        <translation>&amp;Gérer les clients Xero…</translation>
    </message>
    <message>
        <source>Add Xero contacts that were never invoiced, so they are imported as customers.</source>
        <translation>Ajouter des contacts Xero qui n’ont jamais été facturés, pour qu’ils soient importés comme clients.</translation>
    </message>
    <message>
        <source>Link lea&amp;ve types…</source>
        <translation>Lier les t&amp;ypes de congés…</translation>
    </message>
    <message>
        <source>Choose the QuickBooks Time time-off code for each Xero leave type.</source>
        <translation>Choisir le code de congé QuickBooks Time de chaque type de congé Xero.</translation>
    </message>
    <message>
        <source>Careful: every QuickBooks Time customer with no match in Xero will be archived. The preview lists each one; &quot;Undo this import&quot; brings them back.</source>
        <translation>Attention&#xa0;: chaque client QuickBooks Time sans correspondance dans Xero sera archivé. L’aperçu les liste tous&#xa0;; «&#xa0;Défaire cette importation&#xa0;» les réactive.</translation>
    </message>
    <message>
        <source>Contacts never invoiced are not imported unless you add them here.</source>
        <translation>Les contacts jamais facturés ne sont pas importés, sauf si vous les ajoutez ici.</translation>
    </message>
    <message>
        <source>1 contact never invoiced is added as a customer.</source>
        <translation>1 contact jamais facturé est ajouté comme client.</translation>
    </message>
    <message>
        <source>%1 contacts never invoiced are added as customers.</source>
        <translation>%1 contacts jamais facturés sont ajoutés comme clients.</translation>
    </message>
    <message>
        <source>No organisation is connected yet. Go back and connect Xero and QuickBooks Time first.</source>
        <translation>Aucune organisation n’est encore connectée. Revenez en arrière et connectez d’abord Xero et QuickBooks Time.</translation>
    </message>
    <message>
        <source>Your choices could not be saved on this computer. Check that the disk is not full, then click Next again.</source>
        <translation>Vos choix n’ont pas pu être enregistrés sur cet ordinateur. Vérifiez que le disque n’est pas plein, puis cliquez de nouveau sur Suivant.</translation>
    </message>
    <message>
        <source>Reading Xero and QuickBooks Time…</source>
        <translation>Lecture de Xero et de QuickBooks Time…</translation>
    </message>
    <message>
        <source>Reading Xero… (step %1 of %2)</source>
        <translation>Lecture de Xero… (étape %1 sur %2)</translation>
    </message>
    <message>
        <source>Reading QuickBooks Time… (step %1 of %2)</source>
        <translation>Lecture de QuickBooks Time… (étape %1 sur %2)</translation>
    </message>
    <message>
        <source>You can still go on with what was read earlier: the preview may miss the latest changes.</source>
        <translation>Vous pouvez quand même continuer avec ce qui a été lu plus tôt&#xa0;: l’aperçu risque de ne pas inclure les derniers changements.</translation>
    </message>
    <message>
        <source>Nothing has been read from Xero yet, so you cannot go on until this works.</source>
        <translation>Rien n’a encore été lu dans Xero&#xa0;: vous ne pourrez pas continuer tant que cela ne fonctionne pas.</translation>
    </message>
    <message>
        <source>Reading the saved Xero contacts…</source>
        <translation>Lecture des contacts Xero enregistrés…</translation>
    </message>
    <message>
        <source>Saving your choice…</source>
        <translation>Enregistrement de votre choix…</translation>
    </message>
    <message>
        <source>Reading the saved leave types…</source>
        <translation>Lecture des types de congés enregistrés…</translation>
    </message>
    <message>
        <source>Saving your leave links…</source>
        <translation>Enregistrement des liens de congés…</translation>
    </message>
    <message>
        <source>Leave links saved. Every import from now on uses them.</source>
        <translation>Liens de congés enregistrés. Toutes les prochaines importations les utiliseront.</translation>
    </message>
</context>
<context>
    <name>OrganisationPage</name>
    <message>
        <source>Organisation</source>
        <translation>Organisation</translation>
    </message>
    <message>
        <source>Choose the Xero organisation to bring into QuickBooks Time.</source>
        <translation>Choisissez l’organisation Xero à importer dans QuickBooks Time.</translation>
    </message>
    <message>
        <source>These are the organisations you allowed in Xero. The one you choose is connected to the QuickBooks Time account &quot;{company}&quot;: one organisation per QuickBooks Time account.</source>
        <translation>Voici les organisations que vous avez autorisées dans Xero. Celle que vous choisissez sera reliée au compte QuickBooks Time «&#xa0;{company}&#xa0;»&#xa0;: une organisation par compte QuickBooks Time.</translation>
    </message>
    <message>
        <source>These are the organisations you allowed in Xero. Choose the one to connect to your QuickBooks Time account: one organisation per QuickBooks Time account.</source>
        <translation>Voici les organisations que vous avez autorisées dans Xero. Choisissez celle à relier à votre compte QuickBooks Time&#xa0;: une organisation par compte QuickBooks Time.</translation>
    </message>
    <message>
        <source>&amp;Organisation:</source>
        <translation>&amp;Organisation&#xa0;:</translation>
    </message>
    <message>
        <source>Organisations allowed in Xero</source>
        <translation>Organisations autorisées dans Xero</translation>
    </message>
    <message>
        <source>Click an organisation, or use the arrow keys, to see what can be brought in from it.</source>
        <translation>Cliquez sur une organisation, ou utilisez les flèches du clavier, pour voir ce qui peut en être importé.</translation>
    </message>
    <message>
        <source>Country:</source>
        <translation>Pays&#xa0;:</translation>
    </message>
    <message>
        <source>Xero edition:</source>
        <translation>Édition de Xero&#xa0;:</translation>
    </message>
    <message>
        <source>Employees and leave:</source>
        <translation>Employés et congés&#xa0;:</translation>
    </message>
    <message>
        <source>Xero did not share any organisation yet. Go Back and click &quot;Connect to Xero&quot;, then tick the organisation on Xero&apos;s page.</source>
        <translation>Xero n’a encore partagé aucune organisation. Revenez en arrière et cliquez sur «&#xa0;Se connecter à Xero&#xa0;», puis cochez l’organisation sur la page de Xero.</translation>
    </message>
    <message>
        <source>Reading the organisation&apos;s details from Xero…</source>
        <translation>Lecture des renseignements de l’organisation dans Xero…</translation>
    </message>
    <message>
        <source>not given by Xero</source>
        <translation>non fourni par Xero</translation>
    </message>
    <message>
        <source>Yes: this organisation uses Xero Payroll, so its employees and leave types can be brought into QuickBooks Time.</source>
        <translation>Oui&#xa0;: cette organisation utilise la paie Xero, ses employés et ses types de congés peuvent donc être importés dans QuickBooks Time.</translation>
    </message>
    <message>
        <source>No: Xero has no payroll for this organisation, so only customers, items and tracking categories are imported.</source>
        <translation>Non&#xa0;: Xero n’offre pas la paie pour cette organisation. Seuls les clients, les articles et les catégories de suivi sont importés.</translation>
    </message>
    <message>
        <source>&quot;{organisation}&quot; uses Xero Payroll. To bring in its employees and leave, Xero must ask you once more, in your browser, for access to employees and leave. Click &quot;Allow payroll access&quot;, then &quot;Allow access&quot; in Xero.</source>
        <translation>«&#xa0;{organisation}&#xa0;» utilise la paie Xero. Pour importer ses employés et ses congés, Xero doit vous demander une fois de plus, dans votre navigateur, l’accès aux employés et aux congés. Cliquez sur «&#xa0;Autoriser l’accès à la paie&#xa0;», puis sur «&#xa0;Autoriser l’accès&#xa0;» dans Xero.</translation>
    </message>
    <message>
        <source>Allow &amp;payroll access</source>
        <translation>Autoriser l’accès à la pa&amp;ie</translation>
    </message>
    <message>
        <source>Allow payroll access in Xero</source>
        <translation>Autoriser l’accès à la paie dans Xero</translation>
    </message>
    <message>
        <source>&quot;{organisation}&quot; is in {country}, but you chose {chosen} on the first page. The assistant will use {country}, the organisation&apos;s own country.</source>
        <translation>Pays de «&#xa0;{organisation}&#xa0;»&#xa0;: {country}. Vous avez choisi {chosen} à la première page&#xa0;; l’assistant utilisera {country}, le pays de l’organisation.</translation>
    </message>
    <message>
        <source>QuickBooks Time is not connected yet. Go Back to the QuickBooks Time page and check your access key.</source>
        <translation>QuickBooks Time n’est pas encore connecté. Revenez à la page QuickBooks Time et vérifiez votre clé d’accès.</translation>
    </message>
    <message>
        <source>Connecting {organisation}…</source>
        <translation>Connexion de {organisation}…</translation>
    </message>
    <message>
        <source>Disconnect the other connection…</source>
        <translation>Déconnecter l’autre connexion…</translation>
    </message>
    <message>
        <source>Disconnecting &quot;{organisation}&quot;…</source>
        <translation>Déconnexion de «&#xa0;{organisation}&#xa0;»…</translation>
    </message>
    <message>
        <source>&quot;{organisation}&quot; is disconnected; its import history is kept. Click Next to connect &quot;{chosen}&quot;.</source>
        <translation>«&#xa0;{organisation}&#xa0;» est déconnectée&#xa0;; son historique d’importation est conservé. Cliquez sur Suivant pour connecter «&#xa0;{chosen}&#xa0;».</translation>
    </message>
</context>
<context>
    <name>Outcome</name>
    <message>
        <source>Customers</source>
        <extracomment>The summary table&apos;s columns (an import never unlinks; empty columns are hidden). What an undo of hours sent or of billing records (core.app.payroll / core.app.invoicing).</extracomment>
        <translation>Clients</translation>
    </message>
    <message>
        <source>Job locations</source>
        <translation>Lieux de travail</translation>
    </message>
    <message>
        <source>Team members</source>
        <translation>Membres de l’équipe</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Articles</translation>
    </message>
    <message>
        <source>Custom fields</source>
        <translation>Champs personnalisés</translation>
    </message>
    <message>
        <source>Customers open to all team members</source>
        <translation>Clients ouverts à toute l’équipe</translation>
    </message>
    <message>
        <source>Time off</source>
        <translation>Congés</translation>
    </message>
    <message>
        <source>Draft invoices in Xero</source>
        <translation>Factures brouillons dans Xero</translation>
    </message>
    <message>
        <source>Draft timesheets in Xero Payroll</source>
        <translation>Feuilles de temps brouillons dans Xero Payroll</translation>
    </message>
    <message>
        <source>Customer open to all team members</source>
        <translation>Client ouvert à toute l’équipe</translation>
    </message>
    <message>
        <source>; </source>
        <comment>between the parts of a list on one line (French: a non-breaking space first)</comment>
        <translation>&#xa0;; </translation>
    </message>
    <message>
        <source>Created</source>
        <translation>Créés</translation>
    </message>
    <message>
        <source>Updated</source>
        <translation>Mis à jour</translation>
    </message>
    <message>
        <source>Archived</source>
        <translation>Archivés</translation>
    </message>
    <message>
        <source>Linked</source>
        <translation>Liés</translation>
    </message>
    <message>
        <source>Unlinked</source>
        <translation>Déliés</translation>
    </message>
    <message>
        <source>Not done</source>
        <translation>Non faits</translation>
    </message>
    <message>
        <source>1 created</source>
        <extracomment>kinds whose French name is feminine (factures, feuilles de temps): their participles agree</extracomment>
        <translation>1 créé</translation>
    </message>
    <message>
        <source>{n} created</source>
        <translation>{n} créés</translation>
    </message>
    <message>
        <source>1 updated</source>
        <translation>1 mis à jour</translation>
    </message>
    <message>
        <source>{n} updated</source>
        <translation>{n} mis à jour</translation>
    </message>
    <message>
        <source>1 archived</source>
        <translation>1 archivé</translation>
    </message>
    <message>
        <source>{n} archived</source>
        <translation>{n} archivés</translation>
    </message>
    <message>
        <source>1 linked</source>
        <translation>1 lié</translation>
    </message>
    <message>
        <source>{n} linked</source>
        <translation>{n} liés</translation>
    </message>
    <message>
        <source>1 unlinked</source>
        <translation>1 délié</translation>
    </message>
    <message>
        <source>{n} unlinked</source>
        <translation>{n} déliés</translation>
    </message>
    <message>
        <source>1 not done</source>
        <translation>1 non fait</translation>
    </message>
    <message>
        <source>{n} not done</source>
        <translation>{n} non faits</translation>
    </message>
    <message>
        <source>1 taken back</source>
        <translation>1 retiré</translation>
    </message>
    <message>
        <source>{n} taken back</source>
        <translation>{n} retirés</translation>
    </message>
    <message>
        <source>1 deleted</source>
        <translation>1 supprimé</translation>
    </message>
    <message>
        <source>{n} deleted</source>
        <translation>{n} supprimés</translation>
    </message>
    <message>
        <source>1 restored</source>
        <translation>1 rétabli</translation>
    </message>
    <message>
        <source>{n} restored</source>
        <translation>{n} rétablis</translation>
    </message>
    <message>
        <source>1 withdrawn</source>
        <translation>1 retiré</translation>
    </message>
    <message>
        <source>{n} withdrawn</source>
        <translation>{n} retirés</translation>
    </message>
    <message>
        <source>1 created</source>
        <comment>feminine</comment>
        <translation>1 créée</translation>
    </message>
    <message>
        <source>{n} created</source>
        <comment>feminine</comment>
        <translation>{n} créées</translation>
    </message>
    <message>
        <source>1 updated</source>
        <comment>feminine</comment>
        <translation>1 mise à jour</translation>
    </message>
    <message>
        <source>{n} updated</source>
        <comment>feminine</comment>
        <translation>{n} mises à jour</translation>
    </message>
    <message>
        <source>1 archived</source>
        <comment>feminine</comment>
        <translation>1 archivée</translation>
    </message>
    <message>
        <source>{n} archived</source>
        <comment>feminine</comment>
        <translation>{n} archivées</translation>
    </message>
    <message>
        <source>1 linked</source>
        <comment>feminine</comment>
        <translation>1 liée</translation>
    </message>
    <message>
        <source>{n} linked</source>
        <comment>feminine</comment>
        <translation>{n} liées</translation>
    </message>
    <message>
        <source>1 unlinked</source>
        <comment>feminine</comment>
        <translation>1 déliée</translation>
    </message>
    <message>
        <source>{n} unlinked</source>
        <comment>feminine</comment>
        <translation>{n} déliées</translation>
    </message>
    <message>
        <source>1 taken back</source>
        <comment>feminine</comment>
        <translation>1 retirée</translation>
    </message>
    <message>
        <source>{n} taken back</source>
        <comment>feminine</comment>
        <translation>{n} retirées</translation>
    </message>
    <message>
        <source>1 deleted</source>
        <comment>feminine</comment>
        <translation>1 supprimée</translation>
    </message>
    <message>
        <source>{n} deleted</source>
        <comment>feminine</comment>
        <translation>{n} supprimées</translation>
    </message>
    <message>
        <source>1 restored</source>
        <comment>feminine</comment>
        <translation>1 rétablie</translation>
    </message>
    <message>
        <source>{n} restored</source>
        <comment>feminine</comment>
        <translation>{n} rétablies</translation>
    </message>
    <message>
        <source>1 change</source>
        <translation>1 modification</translation>
    </message>
    <message>
        <source>{n} changes</source>
        <translation>{n} modifications</translation>
    </message>
    <message>
        <source>1 record</source>
        <translation>1 élément</translation>
    </message>
    <message>
        <source>{n} records</source>
        <translation>{n} éléments</translation>
    </message>
    <message>
        <source>1 record needs your decision</source>
        <translation>1 élément attend votre décision</translation>
    </message>
    <message>
        <source>{n} records need your decision</source>
        <translation>{n} éléments attendent votre décision</translation>
    </message>
    <message>
        <source>1 row</source>
        <translation>1 ligne</translation>
    </message>
    <message>
        <source>{n} rows</source>
        <translation>{n} lignes</translation>
    </message>
    <message>
        <source>Customers open to all team members: {count}</source>
        <translation>Clients ouverts à toute l’équipe&#xa0;: {count}</translation>
    </message>
    <message>
        <source>{kind}: {changes}</source>
        <translation>{kind}&#xa0;: {changes}</translation>
    </message>
    <message>
        <source>Create</source>
        <translation>Créer</translation>
    </message>
    <message>
        <source>Update</source>
        <translation>Mettre à jour</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>Réactiver</translation>
    </message>
    <message>
        <source>Archive</source>
        <translation>Archiver</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>Lier</translation>
    </message>
    <message>
        <source>Give a team member access</source>
        <translation>Donner l’accès à un membre de l’équipe</translation>
    </message>
    <message>
        <source>Remove a team member&apos;s access</source>
        <translation>Retirer l’accès à un membre de l’équipe</translation>
    </message>
    <message>
        <source>Customer</source>
        <translation>Client</translation>
    </message>
    <message>
        <source>Job location</source>
        <translation>Lieu de travail</translation>
    </message>
    <message>
        <source>Team member</source>
        <translation>Membre de l’équipe</translation>
    </message>
    <message>
        <source>Custom field</source>
        <translation>Champ personnalisé</translation>
    </message>
    <message>
        <source>Item</source>
        <translation>Article</translation>
    </message>
    <message>
        <source>Team member&apos;s access to a customer</source>
        <translation>Accès d’un membre de l’équipe à un client</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Fait</translation>
    </message>
    <message>
        <source>Not answered</source>
        <translation>Sans réponse</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Terminée</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Arrêtée</translation>
    </message>
    <message>
        <source>Did not finish</source>
        <translation>Non terminée</translation>
    </message>
    <message>
        <source>Undone</source>
        <translation>Défaite</translation>
    </message>
    <message>
        <source>Interrupted</source>
        <translation>Interrompue</translation>
    </message>
    <message>
        <source>Not started</source>
        <translation>Non commencée</translation>
    </message>
    <message>
        <source>Undo</source>
        <translation>Défaire</translation>
    </message>
    <message>
        <source>Bill time in Xero</source>
        <translation>Facturer le temps dans Xero</translation>
    </message>
    <message>
        <source>Hours sent to Xero Payroll</source>
        <translation>Heures envoyées à Xero Payroll</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Importation</translation>
    </message>
    <message>
        <source>Custom field choices</source>
        <translation>Choix de champs personnalisés</translation>
    </message>
    <message>
        <source>Custom field choice</source>
        <translation>Choix de champ personnalisé</translation>
    </message>
</context>
<context>
    <name>Payroll</name>
    <message>
        <source>{hours} h of work — not sent: see the problems</source>
        <translation>{hours} h de travail — non envoyées&#xa0;: voir les problèmes</translation>
    </message>
    <message>
        <source>{hours} h of time off — not sent: see the problems</source>
        <translation>{hours} h de congé — non envoyées&#xa0;: voir les problèmes</translation>
    </message>
    <message>
        <source>Not sent: see the problems</source>
        <translation>Non envoyée&#xa0;: voir les problèmes</translation>
    </message>
    <message>
        <source>{start} to {end}</source>
        <translation>du {start} au {end}</translation>
    </message>
    <message>
        <source>{calendar}: {period}</source>
        <translation>{calendar}&#xa0;: {period}</translation>
    </message>
    <message>
        <source>New draft timesheet</source>
        <translation>Nouvelle feuille de temps brouillon</translation>
    </message>
    <message>
        <source>Our draft timesheet updated</source>
        <translation>Notre brouillon mis à jour</translation>
    </message>
    <message>
        <source>Already in Xero, unchanged</source>
        <translation>Déjà dans Xero, inchangée</translation>
    </message>
    <message>
        <source>Not sent (see the problems)</source>
        <translation>Non envoyée (voir les problèmes)</translation>
    </message>
    <message>
        <source>(changed in QuickBooks Time; in Xero now: {days}, {hours} h)</source>
        <translation>(modifié dans QuickBooks Time&#xa0;; dans Xero actuellement&#xa0;: {days}, {hours} h)</translation>
    </message>
    <message>
        <source>(no longer approved in QuickBooks Time: withdrawn from Xero, {hours} h there now)</source>
        <translation>(n’est plus approuvé dans QuickBooks Time&#xa0;: retiré de Xero, qui en compte {hours} h actuellement)</translation>
    </message>
    <message>
        <source>(in a pay run Xero has posted: left as it is)</source>
        <translation>(dans un cycle de paie comptabilisé dans Xero&#xa0;: laissé tel quel)</translation>
    </message>
    <message>
        <source>{hours} h — {reason} ({days})</source>
        <translation>{hours} h — {reason} ({days})</translation>
    </message>
    <message>
        <source>No approved hours</source>
        <translation>Aucune heure approuvée</translation>
    </message>
    <message>
        <source>(already in Xero)</source>
        <extracomment>the people whose timesheet is in Xero for the period once sent (as the result counts)</extracomment>
        <translation>(déjà dans Xero)</translation>
    </message>
    <message>
        <source>(its code is linked to {leave} now: withdrawn from Xero, {hours} h there now)</source>
        <translation>(son code est maintenant lié à {leave}&#xa0;: retiré de Xero, qui en compte {hours} h actuellement)</translation>
    </message>
</context>
<context>
    <name>PayrollDonePage</name>
    <message>
        <source>Undo this sending?</source>
        <translation>Défaire cet envoi&#xa0;?</translation>
    </message>
    <message>
        <source>Take these hours back out of Xero Payroll?</source>
        <translation>Retirer ces heures de Xero Payroll&#xa0;?</translation>
    </message>
    <message>
        <source>&amp;Undo the sending</source>
        <translation>&amp;Défaire l’envoi</translation>
    </message>
    <message>
        <source>&amp;Keep them</source>
        <translation>&amp;Les garder</translation>
    </message>
    <message>
        <source>The draft timesheets and leave this sending made are removed from Xero, and the drafts it changed are put back as they were. A timesheet already approved in Xero is left alone and listed. QuickBooks Time is not changed.</source>
        <translation>Les feuilles de temps brouillons et les congés créés par cet envoi sont retirés de Xero, et les brouillons qu’il a modifiés sont remis comme avant. Une feuille de temps déjà approuvée dans Xero n’est pas touchée et elle est signalée. QuickBooks Time n’est pas modifié.</translation>
    </message>
    <message>
        <source>Undoing the sending… Xero Payroll is being put back as it was.</source>
        <translation>L’envoi est en train d’être défait… Xero Payroll est remis comme avant.</translation>
    </message>
    <message>
        <source>Send hours to Xero: result</source>
        <translation>Envoyer les heures à Xero&#xa0;: résultat</translation>
    </message>
    <message>
        <source>Pay period {period}.</source>
        <translation>Période de paie {period}.</translation>
    </message>
    <message>
        <source>The sending was undone: Xero Payroll is as it was before.</source>
        <translation>L’envoi a été défait&#xa0;: Xero Payroll est comme avant.</translation>
    </message>
    <message>
        <source>Part of the sending could not be undone (a timesheet may be approved in Xero already). History lists it: select it and undo again.</source>
        <translation>Une partie de l’envoi n’a pas pu être défaite (une feuille de temps est peut-être déjà approuvée dans Xero). L’historique l’indique&#xa0;: sélectionnez-le et défaites-le à nouveau.</translation>
    </message>
    <message>
        <source>The hours are in Xero Payroll as draft timesheets.</source>
        <translation>Les heures sont dans Xero Payroll, en feuilles de temps brouillons.</translation>
    </message>
    <message>
        <source>Nothing was sent: Xero already had these hours.</source>
        <translation>Rien n’a été envoyé&#xa0;: Xero avait déjà ces heures.</translation>
    </message>
    <message>
        <source>Timesheets — new: {created}, updated: {updated}, unchanged: {unchanged}, not sent: {skipped}.
Leave — sent: {leave_created}, updated: {leave_updated}, withdrawn: {leave_withdrawn}, not sent: {leave_skipped}.
Total for the period: {regular} hours of work, {leave_hours} hours of time off.</source>
        <translation>Feuilles de temps — nouvelles&#xa0;: {created}, mises à jour&#xa0;: {updated}, inchangées&#xa0;: {unchanged}, non envoyées&#xa0;: {skipped}.
Congés — envoyés&#xa0;: {leave_created}, mis à jour&#xa0;: {leave_updated}, retirés&#xa0;: {leave_withdrawn}, non envoyés&#xa0;: {leave_skipped}.
Total de la période&#xa0;: {regular} heures de travail, {leave_hours} heures de congé.</translation>
    </message>
    <message>
        <source>Xero did not take {regular} hours of work and {leave_hours} hours of time off: see below why, and what to do.</source>
        <translation>Xero n’a pas pris {regular} heures de travail et {leave_hours} heures de congé&#xa0;: voyez ci-dessous pourquoi, et quoi faire.</translation>
    </message>
    <message>
        <source>&amp;Not sent, and what to do:</source>
        <translation>&amp;Non envoyé, et que faire&#xa0;:</translation>
    </message>
    <message>
        <source>Nothing was left out.</source>
        <translation>Rien n’a été laissé de côté.</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Qui</translation>
    </message>
    <message>
        <source>Why, and what to do</source>
        <translation>Pourquoi, et que faire</translation>
    </message>
    <message>
        <source>Not sent, and what to do</source>
        <translation>Non envoyé, et que faire</translation>
    </message>
    <message>
        <source>What to do next in Xero</source>
        <translation>Que faire ensuite dans Xero</translation>
    </message>
    <message>
        <source>Nothing from this sending waits in Xero. Send hours again from the start page whenever you are ready.</source>
        <translation>Rien de cet envoi n’attend dans Xero. Envoyez à nouveau les heures depuis la page d’accueil quand vous le souhaitez.</translation>
    </message>
    <message>
        <source>In Xero, open Payroll, then Timesheets: the draft timesheets wait for your approval there. Check and approve them before the pay run. Hours changed in QuickBooks Time later are sent as an update of the draft when you send hours for this period again.</source>
        <translation>Dans Xero, ouvrez «&#xa0;Payroll&#xa0;», puis «&#xa0;Timesheets&#xa0;»&#xa0;: les feuilles de temps brouillons y attendent votre approbation. Vérifiez-les et approuvez-les avant la paie. Les heures modifiées plus tard dans QuickBooks Time sont envoyées en mise à jour du brouillon quand vous envoyez à nouveau les heures de cette période.</translation>
    </message>
    <message>
        <source>&amp;Undo this sending…</source>
        <translation>&amp;Défaire cet envoi…</translation>
    </message>
    <message>
        <source>&amp;Finish</source>
        <translation>&amp;Terminer</translation>
    </message>
    <message>
        <source>Nothing was sent: see below why, and what to do.</source>
        <translation>Rien n’a été envoyé&#xa0;: voyez ci-dessous pourquoi, et quoi faire.</translation>
    </message>
</context>
<context>
    <name>PayrollPeriodPage</name>
    <message>
        <source>&amp;Connect to Xero</source>
        <translation>&amp;Se connecter à Xero</translation>
    </message>
    <message>
        <source>No organisation is connected yet.</source>
        <translation>Aucune organisation n’est encore connectée.</translation>
    </message>
    <message>
        <source>Reading the pay calendars in Xero…</source>
        <translation>Lecture des calendriers de paie dans Xero…</translation>
    </message>
    <message>
        <source>Xero has no pay calendar for this organisation. In Xero Payroll, add a pay calendar and give it to your employees, then come back here.</source>
        <translation>Xero n’a aucun calendrier de paie pour cette organisation. Dans Xero Payroll, ajoutez un calendrier de paie et attribuez-le à vos employés, puis revenez ici.</translation>
    </message>
    <message>
        <source>Check &amp;again</source>
        <translation>&amp;Vérifier à nouveau</translation>
    </message>
    <message>
        <source>(not ended yet)</source>
        <translation>(pas encore terminée)</translation>
    </message>
    <message>
        <source>(suggested: the last period that has ended)</source>
        <translation>(proposée&#xa0;: la dernière période terminée)</translation>
    </message>
    <message>
        <source>Reading the approved hours in QuickBooks Time and the timesheets in Xero…</source>
        <translation>Lecture des heures approuvées dans QuickBooks Time et des feuilles de temps dans Xero…</translation>
    </message>
    <message>
        <source>Send hours to Xero: the pay period</source>
        <translation>Envoyer les heures à Xero&#xa0;: la période de paie</translation>
    </message>
    <message>
        <source>Approved hours and time off from QuickBooks Time become draft timesheets in Xero Payroll. You see everything before it is sent.</source>
        <translation>Les heures approuvées et les congés de QuickBooks Time deviennent des feuilles de temps brouillons dans Xero Payroll. Vous voyez tout avant l’envoi.</translation>
    </message>
    <message>
        <source>Choose the pay period. The dates are those of your pay calendars in Xero, so Xero accepts the timesheets.</source>
        <translation>Choisissez la période de paie. Les dates sont celles de vos calendriers de paie dans Xero&#xa0;: Xero accepte donc les feuilles de temps.</translation>
    </message>
    <message>
        <source>&amp;Recent pay periods:</source>
        <translation>Périodes de paie &amp;récentes&#xa0;:</translation>
    </message>
    <message>
        <source>Recent pay periods</source>
        <translation>Périodes de paie récentes</translation>
    </message>
    <message>
        <source>Only hours approved in QuickBooks Time are sent. Nothing is sent until you confirm on the preview.</source>
        <translation>Seules les heures approuvées dans QuickBooks Time sont envoyées. Rien n’est envoyé avant votre confirmation sur l’aperçu.</translation>
    </message>
    <message>
        <source>&amp;Preview</source>
        <translation>&amp;Aperçu</translation>
    </message>
</context>
<context>
    <name>PayrollPreviewPage</name>
    <message>
        <source>Total for the period</source>
        <translation>Total de la période</translation>
    </message>
    <message>
        <source>Nothing to send: Xero already has these hours, or none are approved yet.</source>
        <translation>Rien à envoyer&#xa0;: Xero a déjà ces heures, ou aucune n’est encore approuvée.</translation>
    </message>
    <message>
        <source>1 timesheet</source>
        <translation>1 feuille de temps</translation>
    </message>
    <message>
        <source>{n} timesheets</source>
        <translation>{n} feuilles de temps</translation>
    </message>
    <message>
        <source>1 leave record</source>
        <translation>1 congé</translation>
    </message>
    <message>
        <source>{leave}: {hours}</source>
        <translation>{leave}&#xa0;: {hours}</translation>
    </message>
    <message>
        <source>(in Xero now: {hours} h)</source>
        <translation>(dans Xero actuellement&#xa0;: {hours} h)</translation>
    </message>
    <message>
        <source>({hours} h added in Xero, kept)</source>
        <translation>({hours} h ajoutées dans Xero, gardées)</translation>
    </message>
    <message>
        <source>{work} hours of work, {leave} hours of time off</source>
        <translation>{work} heures de travail, {leave} heures de congé</translation>
    </message>
    <message>
        <source>no leave</source>
        <translation>aucun congé</translation>
    </message>
    <message>
        <source>{n} leave records</source>
        <translation>{n} congés</translation>
    </message>
    <message>
        <source>To send: {timesheets} (new: {created}, updated: {updated}) and {leave}. Total for the period: {regular} hours of work, {leave_hours} hours of time off.</source>
        <translation>À envoyer&#xa0;: {timesheets} (nouvelles&#xa0;: {created}, mises à jour&#xa0;: {updated}) et {leave}. Total de la période&#xa0;: {regular} heures de travail, {leave_hours} heures de congé.</translation>
    </message>
    <message>
        <source>Send hours to Xero: preview</source>
        <translation>Envoyer les heures à Xero&#xa0;: aperçu</translation>
    </message>
    <message>
        <source>Pay period {period}. Check each person&apos;s hours; nothing is sent yet.</source>
        <translation>Période de paie {period}. Vérifiez les heures de chacun&#xa0;; rien n’est encore envoyé.</translation>
    </message>
    <message>
        <source>&amp;Hours per person:</source>
        <translation>&amp;Heures par personne&#xa0;:</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Qui</translation>
    </message>
    <message>
        <source>Hours per day</source>
        <translation>Heures par jour</translation>
    </message>
    <message>
        <source>Hours</source>
        <translation>Heures</translation>
    </message>
    <message>
        <source>In Xero</source>
        <translation>Dans Xero</translation>
    </message>
    <message>
        <source>Left out, and why</source>
        <translation>Laissé de côté, et pourquoi</translation>
    </message>
    <message>
        <source>Approved hours of work per day, then each time off and what happens to it in Xero</source>
        <translation>Heures de travail approuvées par jour, puis chaque congé et ce qu’il devient dans Xero</translation>
    </message>
    <message>
        <source>Hours per person</source>
        <translation>Heures par personne</translation>
    </message>
    <message>
        <source>Each person gets one draft timesheet for the period in Xero Payroll. Unpaid leave and hours not approved in QuickBooks Time are never sent. You can undo the sending afterwards.</source>
        <translation>Chaque personne reçoit une feuille de temps brouillon pour la période dans Xero Payroll. Les congés sans solde et les heures non approuvées dans QuickBooks Time ne sont jamais envoyés. Vous pouvez défaire l’envoi ensuite.</translation>
    </message>
    <message>
        <source>&amp;Send to Xero</source>
        <translation>&amp;Envoyer à Xero</translation>
    </message>
    <message>
        <source>Nothing to send: see the problems for why, and what to do.</source>
        <translation>Rien à envoyer&#xa0;: voyez dans les problèmes pourquoi, et quoi faire.</translation>
    </message>
</context>
<context>
    <name>PayrollProblemsPage</name>
    <message>
        <source>Send hours to Xero: what cannot be sent</source>
        <translation>Envoyer les heures à Xero&#xa0;: ce qui ne peut pas être envoyé</translation>
    </message>
    <message>
        <source>Pay period {period}.</source>
        <translation>Période de paie {period}.</translation>
    </message>
    <message>
        <source>1 problem was found. It is left out of this sending:</source>
        <translation>1 problème a été trouvé. Il est laissé de côté dans cet envoi&#xa0;:</translation>
    </message>
    <message>
        <source>{n} problems were found. They are left out of this sending:</source>
        <translation>{n} problèmes ont été trouvés. Ils sont laissés de côté dans cet envoi&#xa0;:</translation>
    </message>
    <message>
        <source>&amp;Problems, and what to do:</source>
        <translation>Pro&amp;blèmes, et que faire&#xa0;:</translation>
    </message>
    <message>
        <source>Who</source>
        <translation>Qui</translation>
    </message>
    <message>
        <source>Why, and what to do</source>
        <translation>Pourquoi, et que faire</translation>
    </message>
    <message>
        <source>Problems, and what to do</source>
        <translation>Problèmes, et que faire</translation>
    </message>
    <message>
        <source>The other hours can still be sent. Once a problem is fixed, send hours for the same period again: only what was not sent yet goes to Xero.</source>
        <translation>Les autres heures peuvent être envoyées. Une fois un problème réglé, envoyez à nouveau les heures de la même période&#xa0;: seul ce qui n’a pas encore été envoyé part vers Xero.</translation>
    </message>
    <message>
        <source>&amp;Next: the preview</source>
        <translation>&amp;Suivant&#xa0;: l’aperçu</translation>
    </message>
</context>
<context>
    <name>PayrollSendPage</name>
    <message>
        <source>There is nothing to send. Go back and choose a pay period.</source>
        <translation>Il n’y a rien à envoyer. Revenez en arrière et choisissez une période de paie.</translation>
    </message>
    <message>
        <source>Sending started.</source>
        <translation>Envoi commencé.</translation>
    </message>
    <message>
        <source>Sending the hours to Xero Payroll…</source>
        <translation>Envoi des heures à Xero Payroll…</translation>
    </message>
    <message>
        <source>Timesheet: {who}</source>
        <translation>Feuille de temps&#xa0;: {who}</translation>
    </message>
    <message>
        <source>Leave: {who}</source>
        <translation>Congé&#xa0;: {who}</translation>
    </message>
    <message>
        <source>Stop sending?</source>
        <translation>Arrêter l’envoi&#xa0;?</translation>
    </message>
    <message>
        <source>Stop sending hours to Xero?</source>
        <translation>Arrêter l’envoi des heures à Xero&#xa0;?</translation>
    </message>
    <message>
        <source>&amp;Stop sending</source>
        <translation>&amp;Arrêter l’envoi</translation>
    </message>
    <message>
        <source>&amp;Keep sending</source>
        <translation>&amp;Continuer l’envoi</translation>
    </message>
    <message>
        <source>The person being sent now is finished first. What was already sent stays in Xero as draft timesheets: the next page shows it, and you can undo it there.</source>
        <translation>La personne en cours d’envoi est terminée d’abord. Ce qui a déjà été envoyé reste dans Xero en feuilles de temps brouillons&#xa0;: la page suivante le montre, et vous pouvez l’y défaire.</translation>
    </message>
    <message>
        <source>Stopping after the current person…</source>
        <translation>Arrêt après la personne en cours…</translation>
    </message>
    <message>
        <source>Finished.</source>
        <translation>Terminé.</translation>
    </message>
    <message>
        <source>Stopped by a problem: {reason}</source>
        <translation>Arrêté par un problème&#xa0;: {reason}</translation>
    </message>
    <message>
        <source>The hours were not all sent: {reason} Once you are signed in, the sending goes on: nothing is sent twice.</source>
        <translation>Les heures n’ont pas toutes été envoyées&#xa0;: {reason} Une fois connecté, l’envoi reprend&#xa0;: rien n’est envoyé deux fois.</translation>
    </message>
    <message>
        <source>&amp;Connect to Xero</source>
        <translation>&amp;Se connecter à Xero</translation>
    </message>
    <message>
        <source>The hours were not all sent: {reason} Send again once it is fixed: nothing is sent twice.</source>
        <translation>Les heures n’ont pas toutes été envoyées&#xa0;: {reason} Envoyez à nouveau une fois le problème réglé&#xa0;: rien n’est envoyé deux fois.</translation>
    </message>
    <message>
        <source>Send &amp;again</source>
        <translation>&amp;Envoyer à nouveau</translation>
    </message>
    <message>
        <source>Send hours to Xero: sending</source>
        <translation>Envoyer les heures à Xero&#xa0;: envoi</translation>
    </message>
    <message>
        <source>Draft timesheets are being made in Xero Payroll.</source>
        <translation>Les feuilles de temps brouillons sont créées dans Xero Payroll.</translation>
    </message>
    <message>
        <source>You can stop at any time: what was already sent is shown on the next page, where you can undo it.</source>
        <translation>Vous pouvez arrêter à tout moment&#xa0;: ce qui a déjà été envoyé est montré sur la page suivante, où vous pouvez le défaire.</translation>
    </message>
    <message>
        <source>S&amp;top sending…</source>
        <translation>A&amp;rrêter l’envoi…</translation>
    </message>
    <message>
        <source>See the &amp;result</source>
        <translation>Voir le &amp;résultat</translation>
    </message>
    <message>
        <source>What was done</source>
        <translation>Ce qui a été fait</translation>
    </message>
</context>
<context>
    <name>PreviewPage</name>
    <message>
        <source>Preview</source>
        <translation>Aperçu</translation>
    </message>
    <message>
        <source>Check what the import will change in QuickBooks Time.</source>
        <translation>Vérifiez ce que l’importation changera dans QuickBooks Time.</translation>
    </message>
    <message>
        <source>Nothing is written until you click Start import.</source>
        <translation>Rien n’est modifié dans QuickBooks Time tant que vous n’avez pas cliqué sur «&#xa0;Lancer l’importation&#xa0;».</translation>
    </message>
    <message>
        <source>&amp;Start import</source>
        <translation>&amp;Lancer l’importation</translation>
    </message>
    <message>
        <source>&amp;Close</source>
        <translation>&amp;Fermer</translation>
    </message>
    <message>
        <source>Su&amp;mmary:</source>
        <translation>Ré&amp;sumé&#xa0;:</translation>
    </message>
    <message>
        <source>Number of changes by kind</source>
        <translation>Nombre de changements par type</translation>
    </message>
    <message>
        <source>S&amp;how:</source>
        <translation>Affic&amp;her&#xa0;:</translation>
    </message>
    <message>
        <source>Show only one kind of change</source>
        <translation>Afficher un seul type de changement</translation>
    </message>
    <message>
        <source>&amp;Find:</source>
        <translation>&amp;Chercher&#xa0;:</translation>
    </message>
    <message>
        <source>Name or reason</source>
        <translation>Nom ou raison</translation>
    </message>
    <message>
        <source>Find a change</source>
        <translation>Chercher un changement</translation>
    </message>
    <message>
        <source>Every change, with the value before and after</source>
        <translation>Tous les changements, avec la valeur avant et après</translation>
    </message>
    <message>
        <source>Everything ({changes}, {records} not imported)</source>
        <translation>Tout ({changes}, {records} non importés)</translation>
    </message>
    <message>
        <source>All changes ({count})</source>
        <translation>Toutes les modifications ({count})</translation>
    </message>
    <message>
        <source>{operation} ({count})</source>
        <translation>{operation} ({count})</translation>
    </message>
    <message>
        <source>Nothing to import now</source>
        <translation>Rien à importer pour l’instant</translation>
    </message>
    <message>
        <source>Everything else is already up to date. {waiting}: go back to decide, or close: your decisions are kept.</source>
        <translation>Tout le reste est déjà à jour. {waiting}&#xa0;: revenez en arrière pour décider, ou fermez&#xa0;: vos décisions sont conservées.</translation>
    </message>
    <message>
        <source>&quot;{name}&quot;</source>
        <translation>«&#xa0;{name}&#xa0;»</translation>
    </message>
    <message>
        <source>{names} and {count} more</source>
        <translation>{names} et {count} autres</translation>
    </message>
    <message>
        <source>To be archived in QuickBooks Time: {records} ({names}). Undo on the last page brings them back.</source>
        <translation>À archiver dans QuickBooks Time&#xa0;: {records} ({names}). «&#xa0;Défaire&#xa0;» sur la dernière page les rétablit.</translation>
    </message>
    <message>
        <source>Show &amp;what is archived</source>
        <translation>&amp;Voir ce qui est archivé</translation>
    </message>
    <message>
        <source>Su&amp;mmary: {changes}.</source>
        <translation>Ré&amp;sumé&#xa0;: {changes}.</translation>
    </message>
    <message>
        <source>Everything is already up to date</source>
        <translation>Tout est déjà à jour</translation>
    </message>
    <message>
        <source>QuickBooks Time already matches Xero for everything you chose to import, so there is nothing to do. Click Close; come back whenever Xero changes.</source>
        <translation>QuickBooks Time correspond déjà à Xero pour tout ce que vous avez choisi d’importer&#xa0;: il n’y a rien à faire. Cliquez sur Fermer&#xa0;; revenez quand Xero aura changé.</translation>
    </message>
    <message>
        <source>No organisation is connected yet. Go back and connect to Xero first.</source>
        <translation>Aucune organisation n’est encore connectée. Revenez en arrière et connectez-vous d’abord à Xero.</translation>
    </message>
    <message>
        <source>Working out what will change…</source>
        <translation>Calcul de ce qui va changer…</translation>
    </message>
    <message>
        <source>1 record needs your decision: not imported this time.</source>
        <translation>1 élément attend votre décision&#xa0;: non importé cette fois.</translation>
    </message>
    <message>
        <source>{n} records need your decision: not imported this time.</source>
        <translation>{n} éléments attendent votre décision&#xa0;: non importés cette fois.</translation>
    </message>
    <message>
        <source>Su&amp;mmary: {changes}; {not_imported}.</source>
        <translation>Ré&amp;sumé&#xa0;: {changes}&#xa0;; {not_imported}.</translation>
    </message>
    <message>
        <source>1 record not imported</source>
        <translation>1 élément non importé</translation>
    </message>
    <message>
        <source>{n} records not imported</source>
        <translation>{n} éléments non importés</translation>
    </message>
</context>
<context>
    <name>QBTimePage</name>
    <message>
        <source>QuickBooks Time</source>
        <translation>QuickBooks Time</translation>
    </message>
    <message>
        <source>Connect your QuickBooks Time account with an access key.</source>
        <translation>Connectez votre compte QuickBooks Time avec une clé d’accès.</translation>
    </message>
    <message>
        <source>This app adds your customers, items and team members to QuickBooks Time with an access key. An administrator of your QuickBooks Time account creates it once:</source>
        <translation>Cette application ajoute vos clients, vos articles et les membres de votre équipe dans QuickBooks Time grâce à une clé d’accès. Un administrateur de votre compte QuickBooks Time la crée une seule fois&#xa0;:</translation>
    </message>
    <message>
        <source>1. Click &quot;Open QuickBooks Time&quot; and sign in as an administrator.
2. Open Feature Add-ons, then Manage Add-ons. At API, click Install if it is not installed yet.
3. In API, click &quot;Add a new application&quot;, name it (for example &quot;Xero import&quot;) and save.
4. Copy the access token and paste it below: it is checked at once.</source>
        <translation>1. Cliquez sur «&#xa0;Ouvrir QuickBooks Time&#xa0;» et connectez-vous en tant qu’administrateur.
2. Ouvrez Modules complémentaires, puis Gérer les modules. À API, cliquez sur Installer s’il n’est pas encore installé.
3. Dans API, cliquez sur «&#xa0;Ajouter une nouvelle application&#xa0;», nommez-la (par exemple «&#xa0;Import Xero&#xa0;») et enregistrez.
4. Copiez le jeton d’accès et collez-le ci-dessous&#xa0;: il est vérifié aussitôt.</translation>
    </message>
    <message>
        <source>&amp;Open QuickBooks Time</source>
        <translation>&amp;Ouvrir QuickBooks Time</translation>
    </message>
    <message>
        <source>Open QuickBooks Time in your browser</source>
        <translation>Ouvrir QuickBooks Time dans votre navigateur</translation>
    </message>
    <message>
        <source>Access &amp;key:</source>
        <translation>&amp;Clé d’accès&#xa0;:</translation>
    </message>
    <message>
        <source>Paste the access key here</source>
        <translation>Collez la clé d’accès ici</translation>
    </message>
    <message>
        <source>QuickBooks Time access key</source>
        <translation>Clé d’accès QuickBooks Time</translation>
    </message>
    <message>
        <source>&amp;Show</source>
        <translation>&amp;Afficher</translation>
    </message>
    <message>
        <source>Show the access key</source>
        <translation>Afficher la clé d’accès</translation>
    </message>
    <message>
        <source>&amp;Check</source>
        <translation>&amp;Vérifier</translation>
    </message>
    <message>
        <source>Check the access key</source>
        <translation>Vérifier la clé d’accès</translation>
    </message>
    <message>
        <source>This is the Demo Company: nothing real is changed. Its QuickBooks Time account has a key ready for you.</source>
        <translation>Ceci est l’entreprise de démonstration&#xa0;: rien de réel n’est modifié. Son compte QuickBooks Time a une clé prête pour vous.</translation>
    </message>
    <message>
        <source>Use the &amp;Demo Company&apos;s key</source>
        <translation>Utiliser la clé de l’entreprise de &amp;démonstration</translation>
    </message>
    <message>
        <source>Use the Demo Company&apos;s key</source>
        <translation>Utiliser la clé de l’entreprise de démonstration</translation>
    </message>
    <message>
        <source>The access key of &quot;{company}&quot; was checked earlier and is kept. Click Next to continue with it, or paste another key.</source>
        <translation>La clé d’accès de «&#xa0;{company}&#xa0;» a déjà été vérifiée et est conservée. Cliquez sur Suivant pour continuer avec elle, ou collez une autre clé.</translation>
    </message>
    <message>
        <source>Checking the access key with QuickBooks Time…</source>
        <translation>Vérification de la clé d’accès auprès de QuickBooks Time…</translation>
    </message>
    <message>
        <source>Open QuickBooks Time</source>
        <translation>Ouvrir QuickBooks Time</translation>
    </message>
    <message>
        <source>its user</source>
        <translation>son utilisateur</translation>
    </message>
    <message>
        <source>This key belongs to {user}, who is not an administrator of the QuickBooks Time account. The import creates customers, team members and custom fields, which only an administrator may do. Ask an administrator to create the key (Feature Add-ons, Manage Add-ons, API) and paste theirs here, or make {user} an administrator in QuickBooks Time (Team, Permissions).</source>
        <translation>Cette clé appartient à {user}, qui n’est pas administrateur du compte QuickBooks Time. L’importation crée des clients, des membres de l’équipe et des champs personnalisés, ce que seul un administrateur peut faire. Demandez à un administrateur de créer la clé (Modules complémentaires, Gérer les modules, API) et collez la sienne ici, ou faites de {user} un administrateur dans QuickBooks Time (Équipe, Autorisations).</translation>
    </message>
    <message>
        <source>QuickBooks Time did not accept this key. Check that it was copied whole. In QuickBooks Time, under Feature Add-ons, Manage Add-ons, the API add-on must be installed and the key listed in your application; if it expired or was removed, add a new one and paste it here.</source>
        <translation>QuickBooks Time n’a pas accepté cette clé. Vérifiez qu’elle a été copiée en entier. Dans QuickBooks Time, sous Modules complémentaires, Gérer les modules, le module API doit être installé et la clé figurer dans votre application&#xa0;; si elle a expiré ou a été supprimée, ajoutez-en une nouvelle et collez-la ici.</translation>
    </message>
    <message>
        <source>An access key is one word with no spaces. Copy it again from QuickBooks Time and paste it here.</source>
        <translation>Une clé d’accès est un seul mot, sans espace. Copiez-la de nouveau dans QuickBooks Time et collez-la ici.</translation>
    </message>
    <message>
        <source>QuickBooks Time refused the key because the account&apos;s billing is not up to date. An administrator can settle it in QuickBooks Time (Company Settings, Billing); then paste the key again.</source>
        <translation>QuickBooks Time a refusé la clé parce que la facturation du compte n’est pas à jour. Un administrateur peut la régler dans QuickBooks Time (Paramètres de l’entreprise, Facturation)&#xa0;; collez ensuite la clé de nouveau.</translation>
    </message>
    <message>
        <source>QuickBooks Time blocks access from this computer&apos;s internet address (IP Authorization). An administrator can allow it in QuickBooks Time; then paste the key again.</source>
        <translation>QuickBooks Time bloque l’accès depuis l’adresse Internet de cet ordinateur (autorisation IP). Un administrateur peut l’autoriser dans QuickBooks Time&#xa0;; collez ensuite la clé de nouveau.</translation>
    </message>
    <message>
        <source>Connected to QuickBooks Time: {company}.</source>
        <translation>Connecté à QuickBooks Time&#xa0;: {company}.</translation>
    </message>
</context>
<context>
    <name>Review</name>
    <message>
        <source>Never import</source>
        <translation>Ne jamais importer</translation>
    </message>
    <message>
        <source>Ask me next time</source>
        <translation>Me le redemander</translation>
    </message>
    <message>
        <source>1 record will wait for your decision</source>
        <translation>1 élément attendra votre décision</translation>
    </message>
    <message>
        <source>{n} records will wait for your decision</source>
        <translation>{n} éléments attendront votre décision</translation>
    </message>
</context>
<context>
    <name>ReviewPage</name>
    <message>
        <source>Review look-alike records</source>
        <extracomment>problems listed in the banner after a CSV import (the rest: &quot;Show all&quot;) marks the comparison&apos;s row of the hours tracked (on its header item) the hours of a record are being read how the characters that differ between two names are marked (not by colour alone) the share of the room each text column gets (the reason is the longest text) up to this many records, each row is as tall as its wrapped texts; above, two lines a row. Rows fitted to their texts are all measured again at every change of width (each cell asked its text, font, colours…: about 0.3 ms a row on the window&apos;s thread, several times as the page opens), so only a short list can afford it within 50 ms (the UI benchmark, issue 16)</extracomment>
        <translation>Vérifier les éléments qui se ressemblent</translation>
    </message>
    <message>
        <source>These records look alike in Xero and QuickBooks Time: decide on each. Your choices are saved as you go; nothing is sent yet.</source>
        <translation>Ces éléments se ressemblent dans Xero et QuickBooks Time&#xa0;: décidez de chacun. Vos choix sont gardés&#xa0;; rien n’est encore envoyé.</translation>
    </message>
    <message>
        <source>&amp;Undo</source>
        <translation>&amp;Défaire</translation>
    </message>
    <message>
        <source>Undo the last decision (Ctrl+Z)</source>
        <translation>Défaire la dernière décision (Ctrl+Z)</translation>
    </message>
    <message>
        <source>Undo the last decision</source>
        <translation>Défaire la dernière décision</translation>
    </message>
    <message>
        <source>Re&amp;do</source>
        <translation>Re&amp;faire</translation>
    </message>
    <message>
        <source>Do again the decision you just undid</source>
        <translation>Refaire la décision que vous venez de défaire</translation>
    </message>
    <message>
        <source>Redo the last undone decision</source>
        <translation>Refaire la dernière décision défaite</translation>
    </message>
    <message>
        <source>S&amp;preadsheet</source>
        <translation>Ta&amp;bleur</translation>
    </message>
    <message>
        <source>Save the list for your accountant, or bring back the decisions they filled in</source>
        <translation>Enregistrer la liste pour votre comptable, ou reprendre les décisions qu’il a remplies</translation>
    </message>
    <message>
        <source>Spreadsheet: export or import decisions</source>
        <translation>Tableur&#xa0;: exporter ou importer des décisions</translation>
    </message>
    <message>
        <source>E&amp;xport to CSV…</source>
        <translation>E&amp;xporter en CSV…</translation>
    </message>
    <message>
        <source>Save every record to review, with its candidates, in a spreadsheet file</source>
        <translation>Enregistrer chaque élément à vérifier, avec ses correspondances possibles, dans un fichier de tableur</translation>
    </message>
    <message>
        <source>I&amp;mport decisions from CSV…</source>
        <translation>I&amp;mporter des décisions depuis un CSV…</translation>
    </message>
    <message>
        <source>Read the decisions filled in the &quot;decision&quot; column of an exported file</source>
        <translation>Lire les décisions remplies dans la colonne «&#xa0;decision&#xa0;» d’un fichier exporté</translation>
    </message>
    <message>
        <source>&amp;Find:</source>
        <translation>C&amp;hercher&#xa0;:</translation>
    </message>
    <message>
        <source>Name or reason</source>
        <translation>Nom ou raison</translation>
    </message>
    <message>
        <source>Find a record</source>
        <translation>Chercher un élément</translation>
    </message>
    <message>
        <source>&amp;Kind:</source>
        <translation>T&amp;ype&#xa0;:</translation>
    </message>
    <message>
        <source>Show records of this kind</source>
        <translation>Afficher les éléments de ce type</translation>
    </message>
    <message>
        <source>&amp;Hide decided</source>
        <translation>&amp;Masquer les décidés</translation>
    </message>
    <message>
        <source>Hide the records already decided</source>
        <translation>Masquer les éléments déjà décidés</translation>
    </message>
    <message>
        <source>Records to review</source>
        <translation>Éléments à vérifier</translation>
    </message>
    <message>
        <source>&amp;Match in QuickBooks Time:</source>
        <translation>&amp;Correspondance dans QuickBooks Time&#xa0;:</translation>
    </message>
    <message>
        <source>Similar record in QuickBooks Time to link to</source>
        <translation>Élément semblable de QuickBooks Time auquel lier</translation>
    </message>
    <message>
        <source>If you link it (Xero → QuickBooks Time):</source>
        <translation>Si vous le liez (Xero → QuickBooks Time)&#xa0;:</translation>
    </message>
    <message>
        <source>In Xero</source>
        <translation>Dans Xero</translation>
    </message>
    <message>
        <source>The value in Xero</source>
        <translation>La valeur dans Xero</translation>
    </message>
    <message>
        <source>In QuickBooks Time now</source>
        <translation>QuickBooks Time (actuel)</translation>
    </message>
    <message>
        <source>The value in QuickBooks Time today</source>
        <translation>La valeur dans QuickBooks Time aujourd’hui</translation>
    </message>
    <message>
        <source>After linking</source>
        <translation>Après le lien</translation>
    </message>
    <message>
        <source>The value in QuickBooks Time after the import, if you link</source>
        <translation>La valeur dans QuickBooks Time après l’importation, si vous liez</translation>
    </message>
    <message>
        <source>What linking changes, field by field</source>
        <translation>Ce que le lien change, champ par champ</translation>
    </message>
    <message>
        <source>Leave this record out of the import, this time and the next ones</source>
        <translation>Laisser cet élément hors de l’importation, cette fois-ci et les suivantes</translation>
    </message>
    <message>
        <source>&amp;Accept 1 suggestion</source>
        <translation>&amp;Accepter 1 suggestion</translation>
    </message>
    <message>
        <source>&amp;Accept {n} suggestions</source>
        <translation>&amp;Accepter {n} suggestions</translation>
    </message>
    <message>
        <source>Link each record to the QuickBooks Time record with the same name, and add as new each record with nothing similar, as suggested in the list. One Undo brings them all back.</source>
        <translation>Lier chaque élément à l’élément de QuickBooks Time qui porte le même nom, et ajouter comme nouvel élément chaque élément qui n’a rien de semblable, comme suggéré dans la liste. Un seul «&#xa0;Défaire&#xa0;» remet tout comme avant.</translation>
    </message>
    <message>
        <source>&amp;Accept suggestions</source>
        <translation>&amp;Accepter les suggestions</translation>
    </message>
    <message>
        <source>No record waiting here has a suggestion: the rest are yours to decide.</source>
        <translation>Aucun élément en attente n’a de suggestion&#xa0;: c’est à vous de décider pour les autres.</translation>
    </message>
    <message>
        <source>Nothing similar in QuickBooks Time. Create new adds it; Rename adds it under another name.</source>
        <translation>Rien de semblable dans QuickBooks Time. «&#xa0;Créer un nouvel élément&#xa0;» l’ajoute&#xa0;; «&#xa0;Renommer&#xa0;» l’ajoute sous un autre nom.</translation>
    </message>
    <message>
        <source>It cannot be linked to a similar record in QuickBooks Time:</source>
        <translation>Il ne peut être lié à aucun élément semblable de QuickBooks Time&#xa0;:</translation>
    </message>
    <message>
        <source>Choose Create new, Rename or {never}.</source>
        <translation>Choisissez Créer un nouvel élément, Renommer ou {never}.</translation>
    </message>
    <message>
        <source>Linking does not change this</source>
        <translation>La liaison ne change pas cette valeur</translation>
    </message>
    <message>
        <source>{hours} h (last 12 months)</source>
        <translation>{hours}&#xa0;h (12 derniers mois)</translation>
    </message>
    <message>
        <source>There is nothing similar in QuickBooks Time to link to: choose Create new, Rename or {never}.</source>
        <translation>Il n’y a rien de semblable dans QuickBooks Time à lier&#xa0;: choisissez Créer un nouvel élément, Renommer ou {never}.</translation>
    </message>
    <message>
        <source>Suggestions accepted: {count}. Undo brings them back.</source>
        <translation>Suggestions acceptées&#xa0;: {count}. «&#xa0;Défaire&#xa0;» remet tout comme avant.</translation>
    </message>
    <message>
        <source>Nothing was accepted: no record waiting here has a suggestion.</source>
        <translation>Rien n’a été accepté&#xa0;: aucun élément en attente n’a de suggestion.</translation>
    </message>
    <message>
        <source>Restore and &amp;link</source>
        <translation>Restaurer et &amp;lier</translation>
    </message>
    <message>
        <source>The chosen QuickBooks Time record is archived: restore it and use it for this Xero record</source>
        <translation>L’élément choisi dans QuickBooks Time est archivé&#xa0;: le restaurer et l’utiliser pour cet élément de Xero</translation>
    </message>
    <message>
        <source>&amp;Link</source>
        <translation>&amp;Lier</translation>
    </message>
    <message>
        <source>Use the chosen QuickBooks Time record for this Xero record (no duplicate)</source>
        <translation>Utiliser l’élément QuickBooks Time choisi pour cet élément Xero (pas de doublon)</translation>
    </message>
    <message>
        <source>archived: restored if you link it</source>
        <translation>archivé&#xa0;: restauré si vous le liez</translation>
    </message>
    <message>
        <source>&amp;Create new</source>
        <translation>Créer un &amp;nouvel élément</translation>
    </message>
    <message>
        <source>Keep them separate: add a new record in QuickBooks Time</source>
        <translation>Les garder séparés&#xa0;: ajouter un nouvel élément dans QuickBooks Time</translation>
    </message>
    <message>
        <source>&amp;Rename…</source>
        <translation>&amp;Renommer…</translation>
    </message>
    <message>
        <source>Add it to QuickBooks Time under another name</source>
        <translation>L’ajouter à QuickBooks Time sous un autre nom</translation>
    </message>
    <message>
        <source>Keep it in the list; it is left out of the import until you decide</source>
        <translation>Le garder dans la liste&#xa0;; il est laissé hors de l’importation jusqu’à votre décision</translation>
    </message>
    <message>
        <source>Nothing to review</source>
        <translation>Rien à vérifier</translation>
    </message>
    <message>
        <source>Every record matched exactly or is new. Click Next to see what the import will do.</source>
        <translation>Chaque élément correspond exactement ou est nouveau. Cliquez sur Suivant pour voir ce que fera l’importation.</translation>
    </message>
    <message>
        <source>All kinds</source>
        <translation>Tous les types</translation>
    </message>
    <message>
        <source>No organisation is connected yet. Go back and connect to Xero first.</source>
        <translation>Aucune organisation n’est encore connectée. Revenez en arrière et connectez-vous d’abord à Xero.</translation>
    </message>
    <message>
        <source>Reading the saved data…</source>
        <translation>Lecture des données enregistrées…</translation>
    </message>
    <message>
        <source>No data from Xero and QuickBooks Time is saved yet, so there is nothing to review. Go back and fetch the data again.</source>
        <translation>Aucune donnée de Xero et de QuickBooks Time n’est encore enregistrée&#xa0;: il n’y a rien à vérifier. Revenez en arrière et récupérez de nouveau les données.</translation>
    </message>
    <message>
        <source>The latest changes could not be fetched, so this review uses the data saved earlier. {reason}</source>
        <translation>Les derniers changements n’ont pas pu être récupérés&#xa0;: cette vérification utilise les données enregistrées plus tôt. {reason}</translation>
    </message>
    <message>
        <source>{decided} of {total} decided</source>
        <translation>{decided} sur {total} décidés</translation>
    </message>
    <message>
        <source>{count} for later</source>
        <translation>{count} pour plus tard</translation>
    </message>
    <message>
        <source>{count} to decide again (the data changed)</source>
        <translation>{count} à redécider (les données ont changé)</translation>
    </message>
    <message>
        <source>Select a record in the list to see the details.</source>
        <translation>Sélectionnez un élément de la liste pour voir les détails.</translation>
    </message>
    <message>
        <source>{kind} “{name}”: {problem}</source>
        <translation>{kind} «&#xa0;{name}&#xa0;»&#xa0;: {problem}</translation>
    </message>
    <message>
        <source>(no name)</source>
        <translation>(sans nom)</translation>
    </message>
    <message>
        <source>Also in Xero: {names}.</source>
        <translation>Aussi dans Xero&#xa0;: {names}.</translation>
    </message>
    <message>
        <source>Suggested shorter name: “{name}”.</source>
        <translation>Nom plus court suggéré&#xa0;: «&#xa0;{name}&#xa0;».</translation>
    </message>
    <message>
        <source>Suggested: link to “{name}”.</source>
        <translation>Suggestion&#xa0;: lier à «&#xa0;{name}&#xa0;».</translation>
    </message>
    <message>
        <source>Suggested: add it as a new record.</source>
        <translation>Suggestion&#xa0;: l’ajouter comme nouvel élément.</translation>
    </message>
    <message>
        <source>Decision: {decision}</source>
        <translation>Décision&#xa0;: {decision}</translation>
    </message>
    <message>
        <source>already linked to another Xero record</source>
        <translation>déjà lié à un autre élément Xero</translation>
    </message>
    <message>
        <source>Archived</source>
        <translation>Archivé</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Actif</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Courriel</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Phone</source>
        <translation>Téléphone</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Hours tracked</source>
        <translation>Heures saisies</translation>
    </message>
    <message>
        <source>Changes in QuickBooks Time: “{old}” becomes “{new}”</source>
        <translation>Dans QuickBooks Time, «&#xa0;{old}&#xa0;» devient «&#xa0;{new}&#xa0;»</translation>
    </message>
    <message>
        <source>No change</source>
        <translation>Aucun changement</translation>
    </message>
    <message>
        <source>The characters that differ are marked</source>
        <translation>Les caractères qui diffèrent sont mis en évidence</translation>
    </message>
    <message>
        <source>Reading…</source>
        <translation>Lecture…</translation>
    </message>
    <message>
        <source>Reading the hours from QuickBooks Time…</source>
        <translation>Lecture des heures dans QuickBooks Time…</translation>
    </message>
    <message>
        <source>Not known</source>
        <translation>Inconnues</translation>
    </message>
    <message>
        <source>QuickBooks Time could not be read; the hours tracked are not known.</source>
        <translation>QuickBooks Time n’a pas pu être lu&#xa0;: les heures saisies ne sont pas connues.</translation>
    </message>
    <message>
        <source>Work hours on timesheets since {day}</source>
        <translation>Heures de travail des feuilles de temps depuis le {day}</translation>
    </message>
    <message>
        <source>Xero holds no hours for this record</source>
        <translation>Xero ne tient pas d’heures pour cet enregistrement</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Renommer</translation>
    </message>
    <message>
        <source>Name for “{name}” in QuickBooks Time (at most {limit} characters):</source>
        <translation>Nom de «&#xa0;{name}&#xa0;» dans QuickBooks Time ({limit} caractères au plus)&#xa0;:</translation>
    </message>
    <message>
        <source>Save name</source>
        <translation>Enregistrer le nom</translation>
    </message>
    <message>
        <source>New name</source>
        <translation>Nouveau nom</translation>
    </message>
    <message>
        <source>The last change was undone.</source>
        <translation>Le dernier changement a été défait.</translation>
    </message>
    <message>
        <source>The change was done again.</source>
        <translation>Le changement a été refait.</translation>
    </message>
    <message>
        <source>Export the review</source>
        <translation>Exporter la vérification</translation>
    </message>
    <message>
        <source>records-to-review.csv</source>
        <translation>elements-a-verifier.csv</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Fichiers CSV (*.csv)</translation>
    </message>
    <message>
        <source>Import decisions</source>
        <translation>Importer des décisions</translation>
    </message>
    <message>
        <source>CSV files (*.csv *.txt);;All files (*)</source>
        <translation>Fichiers CSV (*.csv *.txt);;Tous les fichiers (*)</translation>
    </message>
    <message>
        <source>Saving the spreadsheet…</source>
        <translation>Enregistrement du fichier…</translation>
    </message>
    <message>
        <source>Saved in {path}. Whoever fills it in writes link, create, skip, rename or later in the &quot;decision&quot; column; then use Import decisions.</source>
        <translation>Enregistré dans {path}. La personne qui le remplit saisit lier, créer, ignorer, renommer ou plus tard dans la colonne «&#xa0;decision&#xa0;»&#xa0;; utilisez ensuite «&#xa0;Importer des décisions&#xa0;».</translation>
    </message>
    <message>
        <source>Reading the decisions…</source>
        <translation>Lecture des décisions…</translation>
    </message>
    <message>
        <source>Decisions applied: {applied}. Lines with nothing to change: {unchanged}.</source>
        <translation>Décisions appliquées&#xa0;: {applied}. Lignes sans changement&#xa0;: {unchanged}.</translation>
    </message>
    <message>
        <source>Lines that could not be used: {count}.</source>
        <translation>Lignes inutilisables&#xa0;: {count}.</translation>
    </message>
    <message>
        <source>…and {count} more.</source>
        <translation>…et {count} de plus.</translation>
    </message>
    <message>
        <source>Show all</source>
        <translation>Tout afficher</translation>
    </message>
    <message>
        <source>Line {line}: {reason}</source>
        <translation>Ligne {line}&#xa0;: {reason}</translation>
    </message>
    <message>
        <source>Lines that could not be used</source>
        <translation>Lignes inutilisables</translation>
    </message>
    <message>
        <source>“{name}”</source>
        <translation>«&#xa0;{name}&#xa0;»</translation>
    </message>
</context>
<context>
    <name>RunPage</name>
    <message>
        <source>Stopping after the current step…</source>
        <translation>Arrêt après l’étape en cours…</translation>
    </message>
    <message>
        <source>Stop the import?</source>
        <translation>Arrêter l’importation&#xa0;?</translation>
    </message>
    <message>
        <source>&amp;Stop the import</source>
        <translation>&amp;Arrêter l’importation</translation>
    </message>
    <message>
        <source>&amp;Keep importing</source>
        <translation>&amp;Continuer l’importation</translation>
    </message>
    <message>
        <source>What is already done stays; you can undo it or finish it later. The step in progress is finished first, then the result is shown.</source>
        <translation>Ce qui est déjà fait reste fait&#xa0;; vous pourrez le défaire ou terminer plus tard. L’étape en cours est d’abord terminée, puis le résultat s’affiche.</translation>
    </message>
    <message>
        <source>There is nothing to import yet. Go back to the start and prepare an import first.</source>
        <translation>Il n’y a encore rien à importer. Revenez au début et préparez d’abord une importation.</translation>
    </message>
    <message>
        <source>Nothing to import: QuickBooks Time is already up to date.</source>
        <translation>Rien à importer&#xa0;: QuickBooks Time est déjà à jour.</translation>
    </message>
    <message>
        <source>Nothing to import.</source>
        <translation>Rien à importer.</translation>
    </message>
    <message>
        <source>Continuing the import.</source>
        <translation>Reprise de l’importation.</translation>
    </message>
    <message>
        <source>Import started.</source>
        <translation>Importation commencée.</translation>
    </message>
    <message>
        <source>Importing into QuickBooks Time…</source>
        <translation>Importation dans QuickBooks Time…</translation>
    </message>
    <message>
        <source>The last import was interrupted; this one finishes it.</source>
        <translation>La dernière importation a été interrompue&#xa0;; celle-ci la termine.</translation>
    </message>
    <message>
        <source>The last import was interrupted (the window was closed or the computer stopped). This one finishes it: what was already written is found and not created again.</source>
        <translation>La dernière importation a été interrompue (la fenêtre a été fermée ou l’ordinateur s’est arrêté). Celle-ci la termine&#xa0;: ce qui avait déjà été importé est retrouvé et n’est pas recréé.</translation>
    </message>
    <message>
        <source>The import is finished, but {records} could not be written. The next page says which and why.</source>
        <translation>L’importation est terminée, mais certains éléments n’ont pas pu être importés ({records}). La page suivante dit lesquels et pourquoi.</translation>
    </message>
    <message>
        <source>The import is finished.</source>
        <translation>L’importation est terminée.</translation>
    </message>
    <message>
        <source>&amp;Continue the import</source>
        <translation>&amp;Poursuivre l’importation</translation>
    </message>
    <message>
        <source>The import did not finish: {reason} Then click &quot;Continue the import&quot;: nothing is created twice.</source>
        <translation>L’importation ne s’est pas terminée&#xa0;: {reason} Cliquez ensuite sur «&#xa0;Poursuivre l’importation&#xa0;»&#xa0;: rien n’est créé deux fois.</translation>
    </message>
    <message>
        <source>Finished. Not written: {records}.</source>
        <translation>Terminé. Non importés&#xa0;: {records}.</translation>
    </message>
    <message>
        <source>Finished.</source>
        <translation>Terminé.</translation>
    </message>
    <message>
        <source>Stopped. Importing again finishes the job without duplicates.</source>
        <translation>Arrêté. Importer de nouveau termine le travail sans doublons.</translation>
    </message>
    <message>
        <source>Stopped by a problem: {reason}</source>
        <translation>Arrêté par un problème&#xa0;: {reason}</translation>
    </message>
    <message>
        <source>Custom fields</source>
        <translation>Champs personnalisés</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Articles</translation>
    </message>
    <message>
        <source>Customers</source>
        <translation>Clients</translation>
    </message>
    <message>
        <source>Job locations</source>
        <translation>Lieux de travail</translation>
    </message>
    <message>
        <source>Team members</source>
        <translation>Membres de l’équipe</translation>
    </message>
    <message>
        <source>Archiving</source>
        <translation>Archivage</translation>
    </message>
    <message>
        <source>Time off</source>
        <translation>Congés</translation>
    </message>
    <message>
        <source>Estimating the time left…</source>
        <translation>Estimation du temps restant…</translation>
    </message>
    <message>
        <source>A few seconds left.</source>
        <translation>Encore quelques secondes.</translation>
    </message>
    <message>
        <source>About {n} seconds left.</source>
        <translation>Encore environ {n} secondes.</translation>
    </message>
    <message>
        <source>About {n} minutes left.</source>
        <translation>Encore environ {n} minutes.</translation>
    </message>
    <message>
        <source>About 1 minute left.</source>
        <translation>Encore environ 1 minute.</translation>
    </message>
    <message>
        <source>%v of %m</source>
        <translation>%v sur %m</translation>
    </message>
    <message>
        <source>Progress: {phase}</source>
        <translation>Progression&#xa0;: {phase}</translation>
    </message>
    <message>
        <source>{done} of {total} done.</source>
        <translation>Fait&#xa0;: {done} sur {total}.</translation>
    </message>
    <message>
        <source>&amp;Stop after the current step</source>
        <translation>&amp;Arrêter après l’étape en cours</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Importation</translation>
    </message>
    <message>
        <source>Your Xero data is being written to QuickBooks Time. You can stop at any time; nothing is half-written.</source>
        <translation>Vos données Xero sont en cours d’envoi vers QuickBooks Time. Vous pouvez arrêter à tout moment&#xa0;; rien n’est laissé à moitié fait.</translation>
    </message>
    <message>
        <source>Each step is recorded as it happens. If you stop, or the window closes, importing again finishes the job without creating anything twice.</source>
        <translation>Chaque étape est enregistrée au moment où elle se fait. Si vous arrêtez, ou si la fenêtre se ferme, importer de nouveau termine le travail sans rien créer deux fois.</translation>
    </message>
    <message>
        <source>What has been &amp;done:</source>
        <translation>Ce qui a été &amp;fait&#xa0;:</translation>
    </message>
    <message>
        <source>Import log</source>
        <translation>Journal de l’importation</translation>
    </message>
    <message>
        <source>The step in progress is finished first, so nothing is half-written</source>
        <translation>L’étape en cours est d’abord terminée&#xa0;: rien n’est laissé à moitié fait</translation>
    </message>
    <message>
        <source>See the &amp;result</source>
        <translation>Voir le &amp;résultat</translation>
    </message>
</context>
<context>
    <name>SignInWaiting</name>
    <message>
        <source>C&amp;ancel sign-in</source>
        <translation>&amp;Annuler la connexion</translation>
    </message>
    <message>
        <source>Cancel signing in to Xero</source>
        <translation>Annuler la connexion à Xero</translation>
    </message>
    <message>
        <source>If no browser window opened, copy this link and paste it into your browser&apos;s address bar:</source>
        <translation>Si aucune fenêtre de navigateur ne s’est ouverte, copiez ce lien et collez-le dans la barre d’adresse de votre navigateur&#xa0;:</translation>
    </message>
    <message>
        <source>Xero sign-in link</source>
        <translation>Lien de connexion à Xero</translation>
    </message>
    <message>
        <source>Copy &amp;link</source>
        <translation>Copier le &amp;lien</translation>
    </message>
    <message>
        <source>Copy the sign-in link</source>
        <translation>Copier le lien de connexion</translation>
    </message>
    <message>
        <source>Waiting for you in the browser… Sign in to Xero, choose the organisation, then click &quot;Allow access&quot;.</source>
        <translation>En attente de votre réponse dans le navigateur… Connectez-vous à Xero, choisissez l’organisation, puis cliquez sur «&#xa0;Autoriser l’accès&#xa0;».</translation>
    </message>
    <message>
        <source>Copied</source>
        <translation>Copié</translation>
    </message>
</context>
<context>
    <name>Steps</name>
    <message>
        <source>Country</source>
        <translation>Pays</translation>
    </message>
    <message>
        <source>QuickBooks Time</source>
        <translation>QuickBooks Time</translation>
    </message>
    <message>
        <source>Xero</source>
        <translation>Xero</translation>
    </message>
    <message>
        <source>Organisation</source>
        <translation>Organisation</translation>
    </message>
    <message>
        <source>Options</source>
        <translation>Options</translation>
    </message>
    <message>
        <source>Review</source>
        <translation>Vérification</translation>
    </message>
    <message>
        <source>Preview</source>
        <translation>Aperçu</translation>
    </message>
    <message>
        <source>Import</source>
        <translation>Importation</translation>
    </message>
    <message>
        <source>Done</source>
        <translation>Terminé</translation>
    </message>
    <message>
        <source>Pay period</source>
        <translation>Période de paie</translation>
    </message>
    <message>
        <source>What cannot be sent</source>
        <translation>Ce qui ne peut pas être envoyé</translation>
    </message>
    <message>
        <source>Sending</source>
        <translation>Envoi</translation>
    </message>
    <message>
        <source>Result</source>
        <translation>Résultat</translation>
    </message>
    <message>
        <source>Dates</source>
        <translation>Dates</translation>
    </message>
    <message>
        <source>Send to Xero</source>
        <translation>Envoi à Xero</translation>
    </message>
    <message>
        <source>Send hours to Xero</source>
        <translation>Envoyer les heures à Xero</translation>
    </message>
    <message>
        <source>Bill time in Xero</source>
        <translation>Facturer le temps dans Xero</translation>
    </message>
    <message>
        <source>Import from Xero</source>
        <translation>Importer depuis Xero</translation>
    </message>
    <message>
        <source>done</source>
        <translation>terminée</translation>
    </message>
    <message>
        <source>current step</source>
        <translation>étape en cours</translation>
    </message>
    <message>
        <source>still to do</source>
        <translation>à faire</translation>
    </message>
</context>
<context>
    <name>WelcomePage</name>
    <message>
        <source>Welcome</source>
        <translation>Bienvenue</translation>
    </message>
    <message>
        <source>Choose the country of your Xero organisation: it decides whether employees and leave can be imported (Xero Payroll).</source>
        <extracomment>the payroll countries, first in the list, in this order</extracomment>
        <translation>Choisissez le pays de votre organisation Xero&#xa0;: il décide si les employés et les congés peuvent être importés (Xero Payroll).</translation>
    </message>
    <message>
        <source>Xero Payroll exists in this country: customers, items and tracking categories, plus employees and leave types, can be imported.</source>
        <translation>Xero Payroll existe dans ce pays&#xa0;: les clients, les articles et les catégories de suivi, ainsi que les employés et les types de congés, peuvent être importés.</translation>
    </message>
    <message>
        <source>Xero has no payroll in this country: customers, items and tracking categories are imported; add team members in QuickBooks Time yourself.</source>
        <translation>Xero n’a pas de paie dans ce pays&#xa0;: les clients, les articles et les catégories de suivi sont importés&#xa0;; ajoutez vous-même les membres de l’équipe dans QuickBooks Time.</translation>
    </message>
    <message>
        <source>This assistant brings your Xero customers, items and employees into QuickBooks Time.</source>
        <translation>Cet assistant importe vos clients, articles et employés Xero dans QuickBooks Time.</translation>
    </message>
    <message>
        <source>Nothing is changed until you have seen a preview and clicked &quot;Start import&quot;. You can come back, change your choices, and undo an import later.</source>
        <translation>Rien n’est modifié tant que vous n’avez pas vu l’aperçu et cliqué sur «&#xa0;Lancer l’importation&#xa0;». Vous pourrez revenir, changer vos choix et défaire une importation plus tard.</translation>
    </message>
    <message>
        <source>Before you start</source>
        <translation>Avant de commencer</translation>
    </message>
    <message>
        <source>Administrator access to your QuickBooks Time account (to create an access key)</source>
        <translation>Un accès administrateur à votre compte QuickBooks Time (pour créer une clé d’accès)</translation>
    </message>
    <message>
        <source>Your Xero sign-in</source>
        <translation>Vos identifiants Xero</translation>
    </message>
    <message>
        <source>About ten minutes</source>
        <translation>Une dizaine de minutes</translation>
    </message>
    <message>
        <source>&amp;Language:</source>
        <translation>&amp;Langue&#xa0;:</translation>
    </message>
    <message>
        <source>&amp;Country of your Xero organisation:</source>
        <translation>Pa&amp;ys de votre organisation Xero&#xa0;:</translation>
    </message>
    <message>
        <source>Country of your Xero organisation</source>
        <translation>Pays de votre organisation Xero</translation>
    </message>
    <message>
        <source>Type to search, e.g. Australia</source>
        <translation>Tapez pour chercher, p. ex. Australie</translation>
    </message>
    <message>
        <source>Language</source>
        <translation>Langue</translation>
    </message>
    <message>
        <source>This computer has no secure password storage. The Demo Company works anyway: its demo sign-ins are kept in memory until you close the app. To connect your own Xero and QuickBooks Time, install GNOME Keyring or KWallet first.</source>
        <translation>Cet ordinateur n’a pas de stockage sécurisé des mots de passe. L’entreprise de démonstration fonctionne quand même&#xa0;: ses connexions de démonstration sont gardées en mémoire jusqu’à la fermeture de l’application. Pour connecter votre propre Xero et votre QuickBooks Time, installez d’abord GNOME Keyring ou KWallet.</translation>
    </message>
</context>
<context>
    <name>Words</name>
    <message>
        <source>Create</source>
        <extracomment>the operations a change can be, in the order the filter and the grid list them columns of the counts grid (core.engine.report.ChangeCounts.count): what a change does, then the records not imported; &quot;update&quot; also counts restores the filter&apos;s entry for every change (not the records not imported)</extracomment>
        <translation>Créer</translation>
    </message>
    <message>
        <source>Update</source>
        <translation>Mettre à jour</translation>
    </message>
    <message>
        <source>Restore</source>
        <translation>Réactiver</translation>
    </message>
    <message>
        <source>Archive</source>
        <translation>Archiver</translation>
    </message>
    <message>
        <source>Link</source>
        <translation>Lier</translation>
    </message>
    <message>
        <source>Not imported</source>
        <translation>Non importé</translation>
    </message>
    <message>
        <source>Yes</source>
        <translation>Oui</translation>
    </message>
    <message>
        <source>No</source>
        <translation>Non</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nom</translation>
    </message>
    <message>
        <source>First name</source>
        <translation>Prénom</translation>
    </message>
    <message>
        <source>Last name</source>
        <translation>Nom de famille</translation>
    </message>
    <message>
        <source>Email</source>
        <translation>Courriel</translation>
    </message>
    <message>
        <source>Username</source>
        <translation>Nom d’utilisateur</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>État</translation>
    </message>
    <message>
        <source>Assigned to all team members</source>
        <translation>Attribué à tous les membres de l’équipe</translation>
    </message>
    <message>
        <source>Required on timesheets</source>
        <translation>Obligatoire sur les feuilles de temps</translation>
    </message>
    <message>
        <source>Address</source>
        <translation>Adresse</translation>
    </message>
    <message>
        <source>Time-off code</source>
        <translation>Code de congé</translation>
    </message>
    <message>
        <source>Paid</source>
        <translation>Payé</translation>
    </message>
    <message>
        <source>Sent to Xero Payroll when you send hours</source>
        <translation>Envoyé à Xero Payroll quand vous envoyez les heures</translation>
    </message>
    <message>
        <source>Notes</source>
        <translation>Notes</translation>
    </message>
    <message>
        <source>Active</source>
        <translation>Actif</translation>
    </message>
    <message>
        <source>Archived</source>
        <translation>Archivé</translation>
    </message>
    <message>
        <source>{field}: {value}</source>
        <translation>{field}&#xa0;: {value}</translation>
    </message>
    <message>
        <source>the job under it is archived too</source>
        <translation>le projet qui en dépend est archivé aussi</translation>
    </message>
    <message>
        <source>the {count} jobs under it are archived too</source>
        <translation>les {count} projets qui en dépendent sont archivés aussi</translation>
    </message>
    <message>
        <source>1 team member assignment is removed</source>
        <translation>1 attribution à un membre de l’équipe est retirée</translation>
    </message>
    <message>
        <source>{count} team member assignments are removed</source>
        <translation>{count} attributions à des membres de l’équipe sont retirées</translation>
    </message>
</context>
<context>
    <name>XeroConnectPage</name>
    <message>
        <source>Connect to Xero</source>
        <translation>Se connecter à Xero</translation>
    </message>
    <message>
        <source>Allow this app to read your Xero organisation. It only reads: nothing is changed in Xero.</source>
        <translation>Autorisez cette application à lire votre organisation Xero. Elle ne fait que lire&#xa0;: rien n’est modifié dans Xero.</translation>
    </message>
    <message>
        <source>When you click &quot;Connect to Xero&quot;, your browser opens Xero&apos;s sign-in page:</source>
        <translation>Quand vous cliquez sur «&#xa0;Se connecter à Xero&#xa0;», votre navigateur ouvre la page de connexion de Xero&#xa0;:</translation>
    </message>
    <message>
        <source>1. Sign in to Xero as usual.
2. Choose the organisation to bring into QuickBooks Time (you may choose several).
3. Click &quot;Allow access&quot;.
4. Come back to this window: it continues by itself.</source>
        <translation>1. Connectez-vous à Xero comme d’habitude.
2. Choisissez l’organisation à importer dans QuickBooks Time (vous pouvez en choisir plusieurs).
3. Cliquez sur «&#xa0;Autoriser l’accès&#xa0;».
4. Revenez à cette fenêtre&#xa0;: elle continue d’elle-même.</translation>
    </message>
    <message>
        <source>&amp;Sign in again</source>
        <translation>Se &amp;reconnecter</translation>
    </message>
    <message>
        <source>Sign in to Xero again</source>
        <translation>Se reconnecter à Xero</translation>
    </message>
    <message>
        <source>&amp;Connect to Xero</source>
        <translation>Se &amp;connecter à Xero</translation>
    </message>
    <message>
        <source>Checking whether you are already signed in to Xero…</source>
        <translation>Vérification de votre connexion existante à Xero…</translation>
    </message>
    <message>
        <source>You are already signed in to Xero: 1 organisation allowed. Click Next to continue, or sign in again to allow other organisations.</source>
        <translation>Votre connexion à Xero est déjà active&#xa0;: 1 organisation autorisée. Cliquez sur Suivant pour continuer, ou reconnectez-vous pour autoriser d’autres organisations.</translation>
    </message>
    <message>
        <source>You are already signed in to Xero: {n} organisations allowed. Click Next to continue, or sign in again to allow other organisations.</source>
        <translation>Votre connexion à Xero est déjà active&#xa0;: {n} organisations autorisées. Cliquez sur Suivant pour continuer, ou reconnectez-vous pour autoriser d’autres organisations.</translation>
    </message>
    <message>
        <source>Xero did not share any organisation. Click &quot;Sign in again&quot; and tick the organisation on Xero&apos;s page before clicking &quot;Allow access&quot;.</source>
        <translation>Xero n’a partagé aucune organisation. Cliquez sur «&#xa0;Se reconnecter&#xa0;» et cochez l’organisation sur la page de Xero avant de cliquer sur «&#xa0;Autoriser l’accès&#xa0;».</translation>
    </message>
    <message>
        <source>Connected to Xero: 1 organisation allowed.</source>
        <translation>Connecté à Xero&#xa0;: 1 organisation autorisée.</translation>
    </message>
    <message>
        <source>Connected to Xero: {n} organisations allowed.</source>
        <translation>Connecté à Xero&#xa0;: {n} organisations autorisées.</translation>
    </message>
    <message>
        <source>You cancelled signing in to Xero. Nothing was changed.</source>
        <translation>Vous avez annulé la connexion à Xero. Rien n’a été modifié.</translation>
    </message>
    <message>
        <source>Try again</source>
        <translation>Réessayer</translation>
    </message>
</context>
<context>
    <name>XeroKind</name>
    <message>
        <source>Contacts</source>
        <extracomment>The kinds a fetch reports for Xero, in the order they are shown.</extracomment>
        <translation>Contacts</translation>
    </message>
    <message>
        <source>Items</source>
        <translation>Articles</translation>
    </message>
    <message>
        <source>Tracking categories</source>
        <translation>Catégories de suivi</translation>
    </message>
    <message>
        <source>Tracking options</source>
        <translation>Options de suivi</translation>
    </message>
    <message>
        <source>Employees</source>
        <translation>Employés</translation>
    </message>
    <message>
        <source>Leave types</source>
        <translation>Types de congés</translation>
    </message>
    <message>
        <source>1 added</source>
        <translation>1 ajouté</translation>
    </message>
    <message>
        <source>{n} added</source>
        <translation>{n} ajoutés</translation>
    </message>
    <message>
        <source>1 changed</source>
        <translation>1 modifié</translation>
    </message>
    <message>
        <source>{n} changed</source>
        <translation>{n} modifiés</translation>
    </message>
    <message>
        <source>1 removed</source>
        <translation>1 supprimé</translation>
    </message>
    <message>
        <source>{n} removed</source>
        <translation>{n} supprimés</translation>
    </message>
</context>
<context>
    <name>OpenInvoice</name>
    <message>
        <source>Open invoice {number} of {customer} in Xero</source>
        <translation>Ouvrir dans Xero la facture {number} de {customer}</translation>
    </message>
    <message>
        <source>Open the invoice of {customer} in Xero</source>
        <translation>Ouvrir dans Xero la facture de {customer}</translation>
    </message>
    <message>
        <source>Opens the invoice in Xero, in your web browser.</source>
        <translation>Ouvre la facture dans Xero, dans votre navigateur web.</translation>
    </message>
</context>
<context>
    <name>TaxWords</name>
    <message>
        <source>{amount} excl. tax</source>
        <translation>{amount} avant taxes</translation>
    </message>
    <message>
        <source>{amount} incl. tax</source>
        <translation>{amount} taxes comprises</translation>
    </message>
    <message>
        <source>{amount}, no tax</source>
        <translation>{amount}, sans taxes</translation>
    </message>
</context>
</TS>
