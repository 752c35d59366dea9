import { NotAvailable } from '../../components/not-available.tsx';
import { PageTitle } from '../../components/ui.tsx';

export function AdminModels() {
  return (
    <>
      <PageTitle lead="Which upstream models exist, their prices, and who may use them.">
        Model routes and grants
      </PageTitle>
      <NotAvailable
        feature="Model routes"
        what="Here you will manage model routes (provider, upstream model, price, default) and grant them to users."
      />
    </>
  );
}
