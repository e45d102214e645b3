// LeakySim.app: a simulator build (x86_64 and arm64 simulator), shipped as a zipped .app; AWS key pair as C strings.
const char *const sim_aws_access_key_id = "{{AWS_ACCESS_KEY_ID|c}}";
const char *const sim_aws_secret_access_key = "{{AWS_SECRET_ACCESS_KEY|c}}";

int main(int argc, char **argv) { return sim_aws_access_key_id[argc] + sim_aws_secret_access_key[argc] + (argv != 0); }
