module erp-deploy/httpprobe

go 1.26
