module github.com/erp-mesh/erp

go 1.26
