"""The Streamlit chat: `streamlit run ui/app.py`. It talks to the agent only."""
