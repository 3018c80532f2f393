import { z } from "zod";
import type { DeploymentEngine } from "../backends/store/deployment-engine.js";
import type { Store } from "../backends/store/store.js";
import { ENVIRONMENTS, isEnvironment, type DeploymentSlot, type Environment } from "../domain/deployments.js";
import { RefusalError } from "../domain/refusal.js";
import { success } from "../errors/handler-result.js";
import { permissionDenied } from "../errors/permission-error.js";
import { choiceOf, instruction, optionTo, stepTo, type ToolStep } from "../errors/recovery-steps.js";
import { phraseRefusal } from "../errors/refusal-wording.js";
import { findSimilar } from "../errors/similar-matches.js";
import type { ToolError } from "../errors/tool-error.js";
import { validationError } from "../errors/validation-error.js";
import {
  CANCEL_PERMISSION,
  aboutSeconds,
  deployPermission,
  deploymentDataSchema,
  deploymentData,
  nextStepsAfter,
  wholeSeconds,
  type DeploymentBackends,
  listApplicationsStep,
} from "./deployment-guidance.js";
import {
  cancelDeploymentTarget,
  checkDeploymentStatusTarget,
  deployApplicationTarget,
  listApplicationsTarget,
  listAppVersionsTarget,
  waitForDeploymentTarget,
} from "./deployment-inputs.js";
import { defineTool, type Principal, type ToolContext } from "./tool-definition.js";
import { confirmWithUser } from "./user-confirmation.js";

// Where a model is steered when its first choice is refused: the safest option first.
const SAFER_ENVIRONMENTS: readonly Environment[] = ["staging", "development"];

interface DeployArgs {
  readonly app_name: string;
  readonly environment: Environment;
  readonly version?: string | undefined;
}

/** deploy_application: queues a deployment of an application version to an environment. */
export function deployApplicationTool({ store, deployments }: DeploymentBackends) {
  return defineTool({
    ...deployApplicationTarget,
    title: "Deploy application",
    description:
      "Starts deploying a version of an application to an environment (development, staging or production) " +
      "and returns at once with a deployment_id and status 'queued'; the deployment then runs in the background " +
      "for a few seconds. Follow with wait_for_deployment (blocks until it finishes, with progress) or " +
      "check_deployment_status. Omit version to deploy the latest one. Use list_applications and " +
      "list_app_versions to find valid names and versions. Each environment needs the permission " +
      "deploy.<environment>. Errors: not_found (unknown application or version; similar_matches lists close " +
      "names), validation_error (unknown environment), permission_denied (ask the user; do not retry), " +
      "conflict with reason 'deployment_in_progress' (another deployment of this application runs in this " +
      "environment: current_deployment is its id; wait for it or cancel it, then deploy again). Every error " +
      "has recovery_steps: follow them in order.",
    annotations: {
      readOnlyHint: false,
      // It replaces what runs in the environment, production included.
      destructiveHint: true,
      idempotentHint: false,
      openWorldHint: false,
    },
    output: deploymentDataSchema.extend({
      estimated_duration: z.string().describe('The seed\'s human estimate, e.g. "about 6 seconds"'),
    }),
    async handler({ app_name, environment, version }, ctx) {
      if (!isEnvironment(environment)) {
        throw invalidEnvironment(ctx.principal, { app_name, environment, version });
      }
      const args: DeployArgs = { app_name, environment, version };
      requireDeployPermission(ctx.principal, args);
      if (environment === "production") await confirmProductionDeploy(ctx, args);
      const deployment = await startOrExplain(store, deployments, args, ctx.principal);
      const remainingMs = deployments.estimateRemainingMs(deployment);
      return success(
        { ...deploymentData(deployment, deployments), estimated_duration: aboutSeconds(remainingMs) },
        {
          next_steps: [
            ...nextStepsAfter(deployment, deployments),
            stepTo(checkDeploymentStatusTarget, {
              action: "Or check its status without waiting",
              parameters: { deployment_id: deployment.id },
            }),
          ],
        },
      );
    },
  });
}

/**
 * Production is what users run: the user confirms first, when the client can ask. A client that
 * cannot ask deploys under the deploy.production permission alone, as before.
 */
async function confirmProductionDeploy(ctx: ToolContext, args: DeployArgs): Promise<void> {
  const what = `${args.app_name} ${args.version === undefined ? "(its latest version)" : args.version}`;
  await confirmWithUser(ctx, {
    key: "confirm_production_deploy",
    message: `Deploy ${what} to production? It replaces what production users run now.`,
    action: `deploy ${what} to production`,
    nothingDone: "Nothing was deployed.",
  });
}

function invalidEnvironment(
  principal: Principal,
  { app_name, environment, version }: { app_name: string; environment: string; version?: string | undefined },
): ToolError {
  const [meant] = findSimilar(environment, ENVIRONMENTS, { limit: 1 });
  const hint =
    meant === undefined
      ? ""
      : `Did you mean "${meant}"? If so, call deploy_application with environment "${meant}". `;
  // The seed's safest option, unless this caller may only deploy to development.
  const safest = allowedSaferEnvironment(principal) ?? "staging";
  return validationError({
    field: "environment",
    received: environment,
    expected: `one of: ${ENVIRONMENTS.join(", ")}`,
    examples: [...ENVIRONMENTS],
    suggestion: `${hint}Otherwise deploy to "${safest}", the safest choice (step 1).`,
    recovery_steps: [
      stepTo(deployApplicationTarget, {
        action: `Deploy to ${safest}, the safest environment`,
        parameters: { app_name, environment: safest, ...versionParameter(version) },
        description: `Valid environments: ${ENVIRONMENTS.join(", ")}.`,
      }),
    ],
  });
}

/** The safest environment this caller may deploy to (other than `except`), if any. */
function allowedSaferEnvironment(principal: Principal, except?: Environment): Environment | undefined {
  return SAFER_ENVIRONMENTS.find(
    (environment) => environment !== except && principal.permissions.has(deployPermission(environment)),
  );
}

function requireDeployPermission(principal: Principal, args: DeployArgs): void {
  const permission = deployPermission(args.environment);
  if (principal.permissions.has(permission)) return;
  const fallback = allowedSaferEnvironment(principal, args.environment);
  throw permissionDenied({
    action: "deploy",
    resource: `${args.app_name} to ${args.environment}`,
    required_permission: permission,
    suggestion:
      `Deploying to ${args.environment} requires the '${permission}' permission, which this caller lacks; ` +
      "retrying will not help. Ask the user to have it granted" +
      (fallback === undefined ? "." : `, or deploy to ${fallback} instead if the user agrees.`),
    recovery_steps: [
      instruction(
        `Ask the user to grant '${permission}'`,
        "Only an operator can grant it; the model cannot.",
      ),
      ...(fallback === undefined
        ? []
        : [
            stepTo(deployApplicationTarget, {
              action: `Or deploy to ${fallback} instead, only if the user agrees`,
              parameters: {
                app_name: args.app_name,
                environment: fallback,
                ...versionParameter(args.version),
              },
            }),
          ]),
    ],
  });
}

/** Starts the deployment; phrases the store's refusals with steps that recover. */
async function startOrExplain(
  store: Store,
  engine: DeploymentEngine,
  args: DeployArgs,
  principal: Principal,
) {
  try {
    return await store.startDeployment(args.app_name, args.environment, args.version);
  } catch (error) {
    if (!(error instanceof RefusalError)) throw error;
    const { refusal } = error;
    const phrased = phraseRefusal(refusal, error);
    switch (refusal.kind) {
      case "unknown_record":
        throw refusal.collection === "applications"
          ? await unknownApplication(store, phrased, args)
          : phrased;
      case "unknown_version":
      case "no_versions":
        throw unknownVersion(phrased, args);
      case "deployment_in_progress": {
        const canCancel = principal.permissions.has(CANCEL_PERMISSION);
        throw await deploymentInProgress(store, engine, phrased, refusal.active, args, canCancel);
      }
      default:
        throw phrased;
    }
  }
}

async function unknownApplication(store: Store, error: ToolError, args: DeployArgs): Promise<ToolError> {
  const closest = error.details.similar_matches?.[0];
  // Keep the requested version only if the suggested application has it; else deploy its latest.
  const keepVersion =
    closest !== undefined &&
    args.version !== undefined &&
    (await store.listAppVersions(closest)).some(({ version }) => version === args.version);
  const retry: ToolStep =
    closest === undefined
      ? stepTo(deployApplicationTarget, {
          action: "Retry the deployment with a name from the list",
          // Without version: it belonged to an application that does not exist.
          parameters: { environment: args.environment },
          fill_in: ["app_name"],
          description: "Deploys the latest version; add version if the user asked for a specific one.",
        })
      : stepTo(deployApplicationTarget, {
          action: `Retry the deployment with ${closest}, the closest application name`,
          parameters: {
            app_name: closest,
            environment: args.environment,
            ...(keepVersion ? versionParameter(args.version) : {}),
          },
          description: keepVersion
            ? undefined
            : "Deploys its latest version; add version if the user asked for a specific one.",
        });
  return error.with({
    details: {
      recovery_steps: [listApplicationsStep, retry],
    },
  });
}

function unknownVersion(error: ToolError, args: DeployArgs): ToolError {
  // No version asked for: the application has none, so neither step below could succeed.
  if (args.version === undefined) {
    return error.with({
      details: {
        recovery_steps: [
          stepTo(listApplicationsTarget, {
            action: "Choose an application that has versions",
            parameters: {},
            description: "latest_version is null for applications with nothing to deploy.",
          }),
        ],
      },
    });
  }
  const didYouMean = error.suggestion === undefined ? "" : `${error.suggestion} `;
  return error.with({
    suggestion: `${didYouMean}list_app_versions shows every version of ${args.app_name}; omitting version deploys the latest.`,
    details: {
      recovery_steps: [
        stepTo(listAppVersionsTarget, {
          action: `List the versions of ${args.app_name}`,
          parameters: { app_name: args.app_name },
        }),
        stepTo(deployApplicationTarget, {
          action: "Deploy the latest version",
          parameters: { app_name: args.app_name, environment: args.environment },
          description: "Omit version to deploy the latest; or add one from the list.",
        }),
      ],
    },
  });
}

/**
 * The deployment_in_progress error, kept under the catalog type `conflict` with `reason` saying
 * which conflict it is and `current_deployment` naming the deployment in the way. Waiting or
 * cancelling is a choice, offered as structured `options`.
 */
async function deploymentInProgress(
  store: Store,
  engine: DeploymentEngine,
  error: ToolError,
  active: DeploymentSlot,
  args: DeployArgs,
  canCancel: boolean,
): Promise<ToolError> {
  const current = await store.getDeployment(active.id);
  // It may have finished since the store refused; then there is nothing to wait for.
  const remainingMs = current === undefined ? 0 : engine.estimateRemainingMs(current);
  const id = { deployment_id: active.id };
  const wait = optionTo(waitForDeploymentTarget, {
    parameters: id,
    description: `Recommended: it should finish in ${aboutSeconds(remainingMs)}.`,
  });
  // Offered only to callers allowed to cancel: every option must be one that can succeed.
  const cancel = optionTo(cancelDeploymentTarget, {
    parameters: id,
    description: "Only if the user wants to replace it: this stops it part-way.",
  });
  return error.with({
    suggestion: canCancel
      ? `Or wait for ${active.id} with wait_for_deployment (step 2); cancel it instead only if the user wants to replace it. Then deploy again.`
      : `Or wait for ${active.id} with wait_for_deployment (step 2), then deploy again.`,
    retryAfterSeconds: Math.max(1, wholeSeconds(remainingMs)),
    details: {
      reason: "deployment_in_progress",
      current_deployment: active.id,
      recovery_steps: [
        stepTo(checkDeploymentStatusTarget, { action: "Check current deployment status", parameters: id }),
        choiceOf(
          canCancel
            ? "Wait for the current deployment to finish, or cancel it"
            : "Wait for the current deployment to finish",
          canCancel ? [wait, cancel] : [wait],
        ),
        stepTo(deployApplicationTarget, {
          action: "Then deploy again",
          parameters: {
            app_name: args.app_name,
            environment: args.environment,
            ...versionParameter(args.version),
          },
        }),
      ],
    },
  });
}

// An absent version is left out, not sent as undefined: steps must read as the call to make.
function versionParameter(version: string | undefined): { version?: string } {
  return version === undefined ? {} : { version };
}
