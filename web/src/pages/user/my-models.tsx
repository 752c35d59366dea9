import { NotAvailable } from '../../components/not-available.tsx';
import { PageTitle } from '../../components/ui.tsx';

export function MyModels() {
  return (
    <>
      <PageTitle lead="The language models your runtime may use, granted by an administrator.">
        My models
      </PageTitle>
      <NotAvailable
        feature="Models"
        what="Here you will see each model you may use, its provider, and whether it is your runtime's default."
      />
    </>
  );
}
