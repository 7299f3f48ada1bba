#!/bin/sh
# Applies every ERP schema migration, then exits (the migrations image's CMD).
# Both `migrate` commands are idempotent: running this again on an up-to-date database is a no-op.
set -eu

echo "migrate: auth_svc"
python -m auth_svc migrate
echo "migrate: master_svc"
python -m master_svc migrate

# Compose only: create the first signing key in the shared keys volume when it holds none
# (auth_svc signs with ERP_KEYS_DIR/active/*.pem and does not create keys by itself).
# In Kubernetes the keys come from the erp-signing-keys Secret (see deploy/README.md).
if [ "${ERP_BOOTSTRAP_KEYS:-0}" = "1" ]; then
    if [ -z "$(python -m auth_svc list-keys)" ]; then
        echo "migrate: no signing key in ${ERP_KEYS_DIR:-?}, running auth_svc rotate-keys"
        python -m auth_svc rotate-keys
    fi
fi
echo "migrate: done"
