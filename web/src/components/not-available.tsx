import { Card } from './ui.tsx';

/**
 * An honest placeholder for a feature whose API this server does not offer yet (no fake data): says
 * what will appear here and that nothing is wrong with the account.
 */
export function NotAvailable({ feature, what }: { feature: string; what: string }) {
  return (
    <Card title={`${feature} — not available yet`}>
      <p>{what}</p>
      <p className="hint">
        This server's API does not provide this information yet. Nothing is wrong with your account;
        the page fills in once the model layer is enabled.
      </p>
    </Card>
  );
}
