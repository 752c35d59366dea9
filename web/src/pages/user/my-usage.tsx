import { NotAvailable } from '../../components/not-available.tsx';
import { PageTitle } from '../../components/ui.tsx';

export function MyUsage() {
  return (
    <>
      <PageTitle lead="Tokens and cost of your runtime's model calls, against your budget.">
        My usage
      </PageTitle>
      <NotAvailable
        feature="Usage"
        what="Here you will see a chart of your daily model usage against your budget, by model."
      />
    </>
  );
}
