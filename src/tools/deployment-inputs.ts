import { z } from "zod";
import { ENVIRONMENTS } from "../domain/deployments.js";

/*
 * The deployment tools' names and argument schemas: a public contract (recovery steps target them). They
 * live apart from the tools so that any tool's recovery steps can target any other tool, typed by
 * stepTo, without the tool modules importing one another. Objects are strict: a misspelt argument
 * ("versoin") becomes a validation_error naming the right one instead of being silently dropped,
 * which for deploy_application would mean deploying the latest version by accident.
 */

const appName = z
  .string()
  .trim()
  .min(1)
  .describe('The application\'s exact name, e.g. "web-frontend"; list_applications shows every name');

// Clients send ids as numbers too (the Inspector CLI turns 123 into a number): a number is
// turned into its string form.
const deploymentId = z
  .union([z.string().trim().min(1), z.number().int()])
  .transform(String)
  .describe('The id deploy_application returned, a string such as "dep_0mh2k9x1c4f7a2b9"');

const deploymentIdInput = z.strictObject({ deployment_id: deploymentId });

/** deploy_application {app_name, environment, version?} */
export const deployApplicationTarget = {
  name: "deploy_application",
  input: z.strictObject({
    app_name: appName,
    // A string, not an enum: a wrong environment must reach the handler, whose error carries a
    // recovery step (deploy to staging) that schema validation alone cannot give. Case is not
    // significant: "Staging" is unambiguous.
    environment: z
      .string()
      .trim()
      .toLowerCase()
      .min(1)
      .meta({
        description: `Where to deploy: one of ${ENVIRONMENTS.join(", ")}. Production needs the deploy.production permission`,
        examples: [...ENVIRONMENTS],
      }),
    version: z
      .string()
      .trim()
      .min(1)
      .optional()
      .describe('A version from list_app_versions, e.g. "1.1.0"; omit it to deploy the latest version'),
  }),
} as const;

/** list_applications {} */
export const listApplicationsTarget = {
  name: "list_applications",
  input: z.strictObject({}),
} as const;

/** list_app_versions {app_name} */
export const listAppVersionsTarget = {
  name: "list_app_versions",
  input: z.strictObject({ app_name: appName }),
} as const;

/** check_deployment_status {deployment_id} */
export const checkDeploymentStatusTarget = {
  name: "check_deployment_status",
  input: deploymentIdInput,
} as const;

/** wait_for_deployment {deployment_id} */
export const waitForDeploymentTarget = {
  name: "wait_for_deployment",
  input: deploymentIdInput,
} as const;

/** cancel_deployment {deployment_id} */
export const cancelDeploymentTarget = {
  name: "cancel_deployment",
  input: deploymentIdInput,
} as const;

/** The tools that take a deployment id, whose not_found errors suggest calling them again. */
export type DeploymentIdTarget =
  typeof checkDeploymentStatusTarget | typeof waitForDeploymentTarget | typeof cancelDeploymentTarget;
