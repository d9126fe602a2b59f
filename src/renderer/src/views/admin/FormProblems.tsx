// The server's refusal of the change being made (its Japanese message, as it is) and form-wide problems.
import { observer } from 'mobx-react-lite';
import { useStores } from '../../stores/root-store';

export const FormProblems = observer(function FormProblems() {
  const { admin } = useStores();
  return (
    <>
      {admin.formErrors.form && <p className="error">{admin.formErrors.form}</p>}
      {admin.actionError && !admin.pending && (
        <p className="error admin-message" role="alert" data-testid="admin-action-error">
          {admin.actionError}
        </p>
      )}
    </>
  );
});
