import { NotAvailable } from '../../components/not-available.tsx';
import { PageTitle } from '../../components/ui.tsx';

export function AdminUsage() {
  return (
    <>
      <PageTitle lead="Model tokens and cost across everyone.">Usage</PageTitle>
      <NotAvailable
        feature="Usage"
        what="Here you will see usage by user, by model and by day, as charts and tables."
      />
    </>
  );
}
