// Razorpay Checkout over the order's page: its answer (payment id, order id and the signature
// made with our key secret) is posted to the portal, which verifies it before anything else.
"use strict";

document.addEventListener("DOMContentLoaded", () => {
  const button = document.getElementById("razorpay-pay");
  const form = document.getElementById("razorpay-callback");
  if (!button || !form || typeof window.Razorpay !== "function") return;
  const data = button.dataset;
  const checkout = new window.Razorpay({
    key: data.key,
    order_id: data.orderId,
    amount: Number(data.amount),
    currency: data.currency,
    name: data.name,
    description: data.description,
    prefill: { email: data.email },
    handler: (answer) => {
      form.elements.razorpay_payment_id.value = answer.razorpay_payment_id;
      form.elements.razorpay_order_id.value = answer.razorpay_order_id;
      form.elements.razorpay_signature.value = answer.razorpay_signature;
      form.submit();
    },
  });
  button.addEventListener("click", () => checkout.open());
});
