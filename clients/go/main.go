// Command erp-example is the Go consumer of the contracts: it requires only the stubs module
// github.com/erp-mesh/erp/gen/go (no grpc-gateway), logs in, lists continents and reads the error
// details of a refused call. tests/e2e/test_go_client.py builds it and runs it against each service
// directly and through the Envoy edge (native gRPC on the REST port):
//
//	erp-example -auth 127.0.0.1:50051 -master 127.0.0.1:50052 -username admin -password "$ERP_ADMIN_PASSWORD"
package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"time"

	authv1 "github.com/erp-mesh/erp/gen/go/erp/auth/v1"
	masterv1 "github.com/erp-mesh/erp/gen/go/erp/master/v1"
	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

func dial(addr string) *grpc.ClientConn {
	conn, err := grpc.NewClient(addr, grpc.WithTransportCredentials(insecure.NewCredentials()))
	if err != nil {
		log.Fatalf("dial %s: %v", addr, err)
	}
	return conn
}

func main() {
	authAddr := flag.String("auth", "127.0.0.1:50051", "auth_svc (or the Envoy edge)")
	masterAddr := flag.String("master", "127.0.0.1:50052", "master_svc (or the Envoy edge)")
	username := flag.String("username", "admin", "login name")
	password := flag.String("password", os.Getenv("ERP_ADMIN_PASSWORD"), "password")
	flag.Parse()

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	authConn, masterConn := dial(*authAddr), dial(*masterAddr)
	defer authConn.Close()
	defer masterConn.Close()

	login, err := authv1.NewAuthServiceClient(authConn).Login(ctx, &authv1.LoginRequest{Username: *username, Password: *password})
	if err != nil {
		log.Fatalf("login: %v", err)
	}
	authed := metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+login.GetAccessToken())

	continents := masterv1.NewContinentServiceClient(masterConn)
	list, err := continents.ListContinents(authed, &masterv1.ListContinentsRequest{PageSize: 5})
	if err != nil {
		log.Fatalf("list continents: %v", err)
	}

	// A refused call: the status carries google.rpc details (here a BadRequest for the empty name).
	_, err = continents.CreateContinent(authed, &masterv1.CreateContinentRequest{Continent: &masterv1.Continent{}})
	refused := status.Convert(err)
	violations := []string{}
	for _, detail := range refused.Details() {
		if bad, ok := detail.(*errdetails.BadRequest); ok {
			for _, v := range bad.GetFieldViolations() {
				violations = append(violations, v.GetField())
			}
		}
	}

	out, _ := json.Marshal(map[string]any{
		"user": login.GetUser().GetUsername(), "total_size": list.GetTotalSize(),
		"refused": refused.Code().String(), "violations": violations,
	})
	fmt.Println(string(out))
}
