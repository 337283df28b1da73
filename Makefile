# gpu-docker-api — the two commands a fresh machine needs are `make run` and `make test`.
SHELL := /bin/bash
MVN ?= mvn -B -q
JAR := target/gpu-docker-api.jar
GIT_COMMIT := $(shell git rev-parse --short HEAD 2>/dev/null || echo unknown)
ARGS ?=

.PHONY: build run test test-xfs chaos chaos-move screenshots unit-test it test-env-up test-env-down openapi image bench-update bench-volume bench-stop bench-cluster bench-cluster-limits bench-quota bench-accounts bench-usage bench-reads bench-create bench-startup bench-access bench-telemetry bench-move bench-floors clean

build: ## compile and package the runnable jar; then unpack it into target/app with the class archive a start loads (scripts/class-archive.sh)
	scripts/install-deps.sh run
	$(MVN) -Dgit.commit=$(GIT_COMMIT) -DskipTests package
	scripts/class-archive.sh

run: build ## run the service (starts a local etcd if none answers); flags via ARGS="-p 40000-41000"
	scripts/run.sh $(ARGS)

test: ## unit tests, then integration tests against a dedicated dockerd + etcd + GPU stand-ins
	scripts/test.sh

test-xfs: ## the update and volume integration tests again, on a Docker data root on XFS with reflinks
	scripts/test-xfs.sh

chaos: ## the crash matrix: random calls cut by SIGKILL, restart, invariants; CHAOS_ROUNDS=30 CHAOS_SEED=<n>
	scripts/chaos.sh

chaos-move: ## the crash matrix of moves: two nodes, each move cut by SIGKILL of its source, its target or etcd; CHAOS_MOVE_ROUNDS=12 CHAOS_MOVE_SEED=<n>
	scripts/chaos-move.sh

screenshots: ## the console's browser tests, writing their screenshots into docs/console/ for docs/console.md
	scripts/test.sh -Dit.test=ConsoleIT -Dtest=NoSuchTest -Dsurefire.failIfNoSpecifiedTests=false -Dconsole.screenshots=$(CURDIR)/docs/console

unit-test:
	$(MVN) test

test-env-up:
	scripts/test-env.sh up

test-env-down:
	scripts/test-env.sh down

openapi: ## regenerate api/gpu-docker-api.openapi.json from the running code
	scripts/export-openapi.sh

image: build ## the service's container image (needs a Docker engine that can pull the base image)
	docker build -t gpu-docker-api:$(GIT_COMMIT) -t gpu-docker-api:latest .

bench-update: ## patch time vs image size and by hand; then vs own changes on the machine's filesystem and on XFS
	scripts/bench-update.sh
	scripts/bench-copy.sh update

bench-stop: ## update and pause of instances whose command ignores SIGTERM vs one that handles it; where an update's time goes
	scripts/bench-stop.sh

bench-move: ## move of an instance (1 GiB own changes + 1 GiB volume) between two nodes vs tar | tar; downtime
	scripts/bench-move.sh

bench-floors: ## what bench-move's and bench-access's baselines cost with one stage the service cannot leave out, by C tools (socat, OpenSSH)
	scripts/bench-floors.sh

bench-volume: ## resize vs cp -a; then resize time vs data size on the machine's filesystem and on XFS
	scripts/bench-volume.sh
	scripts/bench-copy.sh volume

bench-create: ## 32 creates at once through the API vs 32 `docker run -d` at once, and one vs one (medians of 3); with the create's phases
	scripts/bench-create.sh

bench-accounts: ## a tenant's create with quotas and usage metering both on vs both off, two services side by side (goal <= 1.05)
	scripts/bench-accounts.sh

bench-quota: ## a create's time with tenants' quotas on vs off (20 sequential creates each, median)
	scripts/bench-quota.sh

bench-cluster: build ## two nodes on the rig: a call through the node that does not hold the instance vs through the one that does
	scripts/bench-cluster.sh

bench-usage: ## usage metering: create transaction with metering off vs on; queries over a year of 1,000 instances; then bench-accounts
	scripts/bench-usage.sh
	scripts/bench-accounts.sh

bench-reads: build ## two nodes on the rig: a read through the node that does not hold the instance vs its owner; the list with 10 vs 1,000 instances
	scripts/bench-reads.sh

bench-telemetry: ## telemetry's cost: sampling 8 GPUs and 100 instances as a share of one core (goal <= 2 %), the metrics endpoint's p99 (goal <= 50 ms)
	scripts/bench-telemetry.sh

bench-startup: build ## start to first served call and idle RSS, plain `java -jar` vs scripts/run.sh's JVM; threads during 200 concurrent updates
	scripts/bench-startup.sh

bench-access: build ## scp of 1 GiB through the SSH gateway vs docker cp; a download through the port proxy vs direct; keystroke round trip
	scripts/bench-access.sh

bench-cluster-limits: ## etcd load of 10, 100 and 1,000 simulated nodes on a throwaway etcd; figures into docs/cluster.md
	scripts/bench-cluster-limits.sh

clean:
	$(MVN) clean
