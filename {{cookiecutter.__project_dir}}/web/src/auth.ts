/**
 * Sign up, confirm, sign in (with MFA codes when the user pool asks for them) and
 * sign out against the Cognito user pool, through aws-amplify/auth.
 */
import { confirmSignIn, confirmSignUp, signIn, signUp, type SignInOutput } from "aws-amplify/auth";

import { busy, field, h, messageLine } from "./dom";

type Done = () => void;

export function signInView(onSignedIn: Done, notice = ""): HTMLElement {
  const message = messageLine("auth-message");
  message.textContent = notice;
  const form = h(
    "form",
    { "data-testid": "sign-in", "aria-label": "Sign in" },
    h("h1", {}, "Sign in"),
    h("label", {}, "Email", h("input", { name: "email", type: "email", autocomplete: "username", required: true })),
    h(
      "label",
      {},
      "Password",
      h("input", { name: "password", type: "password", autocomplete: "current-password", required: true }),
    ),
    h("button", { type: "submit" }, "Sign in"),
    message,
  );
  const toSignUp = h("button", { type: "button", class: "link", "data-testid": "to-sign-up" }, "Create an account");
  const view = h("section", { class: "card" }, form, toSignUp);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(form, message, async () => {
      const output = await signIn({ username: field(form, "email"), password: field(form, "password") });
      nextSignInStep(view, output, onSignedIn);
    });
  });
  toSignUp.addEventListener("click", () => view.replaceWith(signUpView(onSignedIn)));
  return view;
}

function signUpView(onSignedIn: Done): HTMLElement {
  const message = messageLine("auth-message");
  const form = h(
    "form",
    { "data-testid": "sign-up", "aria-label": "Create an account" },
    h("h1", {}, "Create an account"),
    h("label", {}, "Email", h("input", { name: "email", type: "email", autocomplete: "username", required: true })),
    h(
      "label",
      {},
      "Password",
      h("input", { name: "password", type: "password", autocomplete: "new-password", required: true }),
    ),
    h("button", { type: "submit" }, "Create account"),
    message,
  );
  const toSignIn = h("button", { type: "button", class: "link" }, "I have an account");
  const view = h("section", { class: "card" }, form, toSignIn);

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(form, message, async () => {
      const email = field(form, "email");
      const { nextStep } = await signUp({
        username: email,
        password: field(form, "password"),
        options: { userAttributes: { email } },
      });
      if (nextStep.signUpStep === "CONFIRM_SIGN_UP") view.replaceWith(confirmSignUpView(email, onSignedIn));
      else view.replaceWith(signInView(onSignedIn, "Account created; sign in."));
    });
  });
  toSignIn.addEventListener("click", () => view.replaceWith(signInView(onSignedIn)));
  return view;
}

function confirmSignUpView(email: string, onSignedIn: Done): HTMLElement {
  const message = messageLine("auth-message");
  const form = codeForm("Confirm your email", `Enter the code sent to ${email}.`, message);
  const view = h("section", { class: "card" }, form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(form, message, async () => {
      await confirmSignUp({ username: email, confirmationCode: field(form, "code") });
      view.replaceWith(signInView(onSignedIn, "Email confirmed; sign in."));
    });
  });
  return view;
}

/** Follow Cognito's next sign-in step until it is DONE. */
function nextSignInStep(view: HTMLElement, output: SignInOutput, onSignedIn: Done): void {
  const step = output.nextStep;
  switch (step.signInStep) {
    case "DONE":
      onSignedIn();
      return;
    case "CONFIRM_SIGN_UP":
      view.replaceWith(h("section", { class: "card" }, h("p", {}, "Confirm your email first, then sign in.")));
      return;
    case "CONTINUE_SIGN_IN_WITH_TOTP_SETUP": {
      const uri = step.totpSetupDetails.getSetupUri(document.title).toString();
      const hint = `Add this key to your authenticator app, then enter its code: ${step.totpSetupDetails.sharedSecret}`;
      view.replaceWith(challengeView(hint, uri, onSignedIn));
      return;
    }
    case "CONFIRM_SIGN_IN_WITH_TOTP_CODE":
    case "CONFIRM_SIGN_IN_WITH_SMS_CODE":
    case "CONFIRM_SIGN_IN_WITH_EMAIL_CODE":
      view.replaceWith(challengeView("Enter the code for your second sign-in factor.", "", onSignedIn));
      return;
    default:
      view.replaceWith(
        h("section", { class: "card" }, h("p", { role: "alert" }, `Sign-in step ${step.signInStep} is not supported here.`)),
      );
  }
}

function challengeView(hint: string, setupUri: string, onSignedIn: Done): HTMLElement {
  const message = messageLine("auth-message");
  const form = codeForm("Second factor", hint, message);
  if (setupUri) form.insertBefore(h("a", { href: setupUri }, "Open in authenticator app"), form.lastChild);
  const view = h("section", { class: "card" }, form);
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    void busy(form, message, async () => {
      nextSignInStep(view, await confirmSignIn({ challengeResponse: field(form, "code") }), onSignedIn);
    });
  });
  return view;
}

function codeForm(title: string, hint: string, message: HTMLElement): HTMLFormElement {
  return h(
    "form",
    { "data-testid": "code" },
    h("h1", {}, title),
    h("p", {}, hint),
    h("label", {}, "Code", h("input", { name: "code", inputmode: "numeric", autocomplete: "one-time-code", required: true })),
    h("button", { type: "submit" }, "Confirm"),
    message,
  );
}
