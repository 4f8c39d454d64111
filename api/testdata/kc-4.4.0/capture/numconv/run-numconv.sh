#!/bin/bash
# Writes ../../numeric-converters.json: what the 4.4.0 numeric converters produce (NumConv.java), with the
# jars that ../setup.sh installed in /work/kc44-scratch/libs.
set -euo pipefail
S=${S:-/work/kc44-scratch}; C=$(cd "$(dirname "$0")" && pwd); B=$S/conv
mkdir -p $B && javac -nowarn -d $B -cp "$S/libs/*" $C/NumConv.java
java -cp "$B:$S/libs/*" NumConv | python3 -c 'import json,sys; print(json.dumps(json.load(sys.stdin), indent=2))' > $C/../../numeric-converters.json
